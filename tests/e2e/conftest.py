from tests.helpers.faultserver import fault_server  # noqa: F401  (a fixture)
from tests.helpers.pulse import pulse_server  # noqa: F401  (session fixture)
from tests.helpers.whisper import whisper_model  # noqa: F401  (session fixture)
