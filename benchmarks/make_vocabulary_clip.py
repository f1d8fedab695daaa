"""Make the vocabulary recordings: sentences full of names and technical terms, spoken by espeak-ng.

    python benchmarks/make_vocabulary_clip.py      (needs espeak-ng: apt-get install espeak-ng)

Writes ``tests/data/vocabulary/{dev,heldout,heldout2}.flac`` (16 kHz mono) and ``manifest.json`` with each
sentence, its voice and the terms it contains. ``dev`` was used to choose how the vocabulary is
passed to faster-whisper; ``heldout`` (15 term occurrences, several voices) and ``heldout2`` (15, the two default voices,
written after the choice) only to measure it.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "vocabulary"
RATE = 16000
GAP_S = 1.0

VOCABULARY = [
    "Siobhan Okonkwo",
    "Dmitri Vasquez",
    "Priyanka",
    "Kubernetes",
    "PostgreSQL",
    "Grafana",
    "Terraform",
    "Kafka",
    "ClickHouse",
    "Zalando",
    "Shopify",
    "Nakamura",
    "Elasticsearch",
]

SETS: dict[str, list[tuple[str, str]]] = {
    "dev": [
        ("en-us+m3", "Nakamura joined us from Shopify to run the Elasticsearch cluster."),
        ("en-gb-x-rp+f2", "Priyanka moved our Grafana alerts into Terraform last quarter."),
        ("en+m1", "Dmitri Vasquez said the Kafka brokers never ran on Kubernetes."),
        ("en-gb-scotland+m3", "Siobhan Okonkwo compared ClickHouse with PostgreSQL for the Zalando reports."),
        ("en-us+f2", "At Shopify, Okonkwo and Nakamura wrote the Terraform for the Grafana servers."),
        ("en-gb+f4", "Priyanka Vasquez indexed the Kafka topics into Elasticsearch on Kubernetes."),
    ],
    "heldout": [
        ("en-us+f3", "Our new hire, Siobhan Okonkwo, migrated the billing service to Kubernetes last spring."),
        ("en-gb+m2", "We replaced the old database with PostgreSQL and added Grafana dashboards."),
        ("en-us+m4", "Dmitri Vasquez wrote the Terraform modules for our cloud account."),
        ("en-gb-scotland+f1", "The Kafka consumers feed a ClickHouse warehouse that Priyanka maintains."),
        ("en-us+m1", "Before Zalando, Okonkwo ran the Kubernetes platform team at Shopify."),
    ],
    # made after the way of passing the vocabulary was fixed: espeak-ng's two default English voices,
    # as the issue's own recording (8 of 15 spelled right without a vocabulary) most likely used
    "heldout2": [
        ("en-us", "Priyanka Okonkwo leads the Grafana team at Zalando."),
        ("en-gb", "Our Kafka cluster moved to Kubernetes in March."),
        ("en-us", "Dmitri said ClickHouse beat PostgreSQL on every report."),
        ("en-gb", "Siobhan Vasquez manages Terraform for Shopify."),
        ("en-us", "Nakamura indexed the logs in Elasticsearch."),
    ],
}


def terms_in(sentence: str) -> list[str]:
    """The single-word terms of the vocabulary in ``sentence`` (names split into words)."""
    words = {w for term in VOCABULARY for w in term.split()}
    return [w for w in sentence.replace(",", " ").replace(".", " ").split() if w in words]


def speak(voice: str, text: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
        audio, rate = sf.read(wav, dtype="float32")
    import soxr

    return np.asarray(soxr.resample(audio, rate, RATE), dtype=np.float32)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {"vocabulary": VOCABULARY, "sets": {}}
    for name, sentences in SETS.items():
        gap = np.zeros(int(GAP_S * RATE), dtype=np.float32)
        parts = [gap]
        entries = []
        for voice, text in sentences:
            parts += [speak(voice, text) * 0.7, gap]
            entries.append({"voice": voice, "text": text, "terms": terms_in(text)})
        sf.write(OUT / f"{name}.flac", np.concatenate(parts), RATE, subtype="PCM_16")
        manifest["sets"][name] = entries  # type: ignore[index]
        print(name, sum(len(e["terms"]) for e in entries), "term occurrences")  # type: ignore[arg-type]
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
