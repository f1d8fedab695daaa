from tests.helpers.faultserver import fault_server

__all__ = ["fault_server"]
