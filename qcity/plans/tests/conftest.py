"""Shared helpers for the extraction tests (no database needed).

The seed corpus is located by :mod:`qcity.core.testing_corpus` (``$QCITY_CORPUS``); tests that
read it carry ``@pytest.mark.corpus``. Data kept in the repository is scored with the project's
own scorer, :mod:`qcity.plans.extraction.scoring`.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def write_predictions(pairs, out: Path) -> Path:
    """pairs: iterable of (stem, Extraction)."""
    out.mkdir(parents=True, exist_ok=True)
    for stem, ex in pairs:
        (out / f"{stem}.json").write_text(
            json.dumps(ex.to_json(), ensure_ascii=False), encoding="utf-8"
        )
    return out
