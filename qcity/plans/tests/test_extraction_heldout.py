"""Held-out corpus (fictional plans in other cities' styles): the extractor must generalise.

The documents and their gold live in the repository; they are scored with the project's own
scorer, so this test needs nothing outside the repository."""

from __future__ import annotations

import json
from pathlib import Path

from qcity.plans.extraction import extract_file, scoring

from .conftest import write_predictions

HELDOUT = Path(__file__).resolve().parent / "heldout"


def test_heldout_quality_bar(tmp_path):
    docs = sorted((HELDOUT / "docs").iterdir())
    assert docs
    pairs = [(f.stem, extract_file(f)) for f in docs]
    out = write_predictions(pairs, tmp_path / "pred")
    lines, s = scoring.score(str(out), str(HELDOUT / "gold"))
    print("\n".join(lines), s)
    assert s["targets_f1"] >= 0.85
    assert s["units_f1"] >= 0.9
    assert s["tasks_recall"] >= 0.85
    # per format: every reader must hold the bar on its own
    by_ext: dict[str, list[str]] = {}
    for f in docs:
        by_ext.setdefault(f.suffix, []).append(f.stem)
    for ext, stems in by_ext.items():
        gold_dir = tmp_path / f"gold{ext}"
        gold_dir.mkdir()
        for stem in stems:
            gold = json.loads((HELDOUT / "gold" / f"{stem}.json").read_text(encoding="utf-8"))
            (gold_dir / f"{stem}.json").write_text(json.dumps(gold, ensure_ascii=False))
        _, fs = scoring.score(str(out), str(gold_dir))
        assert fs["targets_f1"] >= 0.8, (ext, fs)
