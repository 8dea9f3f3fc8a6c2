from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SCHEMAS = ROOT.parent / "shared" / "schemas"
WARMUP = Path(sys.executable).parent / "warmup"


@pytest.fixture
def plain_env() -> dict[str, str]:
    """An environment for subprocess runs: no colour forcing from the caller's terminal."""
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "NO_COLOR",
                                                             "TTY_COMPATIBLE", "COLUMNS"}}
    env["PYTHONIOENCODING"] = "utf-8"
    return env
