"""Shared helpers for the extraction tests (no database needed)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


def corpus_dir() -> Path:
    env = os.environ.get("QCITY_CORPUS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    d = corpus_dir()
    if not (d / "seeds").is_dir() or not (d / "gold").is_dir():
        pytest.fail(
            f"plan corpus missing at {d}: tests read ../shared/corpus (or set QCITY_CORPUS_DIR)"
        )
    return d


@pytest.fixture(scope="session")
def scorer(corpus):
    spec = importlib.util.spec_from_file_location(
        "score_extraction", corpus / "score_extraction.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_predictions(pairs, out: Path) -> Path:
    """pairs: iterable of (stem, Extraction)."""
    out.mkdir(parents=True, exist_ok=True)
    for stem, ex in pairs:
        (out / f"{stem}.json").write_text(
            json.dumps(ex.to_json(), ensure_ascii=False), encoding="utf-8"
        )
    return out
