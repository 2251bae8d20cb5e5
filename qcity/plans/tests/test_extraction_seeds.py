"""Seed corpus: the extractor must meet the quality bar against the hand-made gold."""

from __future__ import annotations

import shutil

from qcity.plans.extraction import extract_text

from .conftest import write_predictions

FULLWIDTH = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；", "%": "％"})


def _score(corpus, scorer, tmp_path, transform=None, name="pred"):
    pairs = []
    for f in sorted((corpus / "seeds").glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        if transform:
            text = transform(text)
        pairs.append((f.stem, extract_text(text, name=f.name)))
    out = write_predictions(pairs, tmp_path / name)
    lines, summary = scorer.score(str(out), str(corpus / "gold"))
    for line in lines:
        print(line)
    print(summary)
    return summary


def test_seed_quality_bar(corpus, scorer, tmp_path):
    s = _score(corpus, scorer, tmp_path)
    assert s["targets_f1"] >= 0.95
    assert s["tasks_recall"] >= 0.98
    assert s["tasks_precision"] >= 0.95
    assert s["units_f1"] >= 0.98
    assert s["lead_accuracy"] >= 0.98
    assert s["kind_accuracy"] >= 0.85
    assert s["op_accuracy_not_ge"] >= 0.9


def test_fullwidth_punctuation_scores_the_same(corpus, scorer, tmp_path):
    base = _score(corpus, scorer, tmp_path, name="base")
    full = _score(corpus, scorer, tmp_path, transform=lambda t: t.translate(FULLWIDTH), name="full")
    for key in ("targets_f1", "tasks_recall", "units_f1", "lead_accuracy"):
        assert abs(base[key] - full[key]) <= 0.01, key


def test_cli_writes_schema_json(corpus, tmp_path):
    import json

    from qcity.plans.extraction.cli import main

    src = sorted((corpus / "seeds").glob("*.txt"))[0]
    local = tmp_path / src.name
    shutil.copy(src, local)
    rc = main(["extract", "--out", str(tmp_path / "out"), str(local)])
    assert rc == 0
    d = json.loads((tmp_path / "out" / (src.stem + ".json")).read_text(encoding="utf-8"))
    assert {"doc", "title", "region", "targets", "tasks"} <= set(d)
    assert d["targets"] and d["tasks"]
