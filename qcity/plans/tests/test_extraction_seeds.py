"""Seed corpus: the extractor must meet the quality bar against the hand-made gold.

The corpus is outside the repository (``$QCITY_CORPUS``, see qcity/core/testing_corpus.py):
every test here is marked ``corpus``. The project's own scorer must report the same figures
as the corpus's reference scorer, so that drift between the two is caught here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qcity.core.testing_corpus import seed_corpus, shared_scorer
from qcity.plans.extraction import extract_file, extract_text, scoring

from .conftest import write_predictions

pytestmark = pytest.mark.corpus

FULLWIDTH = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；", "%": "％"})
HELDOUT = Path(__file__).resolve().parent / "heldout"


def _predict(corpus: Path, out: Path, transform=None) -> Path:
    pairs = []
    for f in sorted((corpus / "seeds").glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        if transform:
            text = transform(text)
        pairs.append((f.stem, extract_text(text, name=f.name)))
    return write_predictions(pairs, out)


def _score(tmp_path, transform=None, name="pred"):
    corpus = seed_corpus()
    out = _predict(corpus, tmp_path / name, transform)
    lines, summary = shared_scorer().score(str(out), str(corpus / "gold"))
    for line in lines:
        print(line)
    print(summary)
    return summary


def test_seed_quality_bar(tmp_path):
    s = _score(tmp_path)
    assert s["targets_f1"] >= 0.95
    assert s["tasks_recall"] >= 0.98
    assert s["tasks_precision"] >= 0.95
    assert s["units_f1"] >= 0.98
    assert s["lead_accuracy"] >= 0.98
    assert s["kind_accuracy"] >= 0.85
    assert s["op_accuracy_not_ge"] >= 0.9


def test_fullwidth_punctuation_scores_the_same(tmp_path):
    base = _score(tmp_path, name="base")
    full = _score(tmp_path, transform=lambda t: t.translate(FULLWIDTH), name="full")
    for key in ("targets_f1", "tasks_recall", "units_f1", "lead_accuracy"):
        assert abs(base[key] - full[key]) <= 0.01, key


def test_cli_writes_schema_json(tmp_path):
    from qcity.plans.extraction.cli import main

    src = sorted((seed_corpus() / "seeds").glob("*.txt"))[0]
    local = tmp_path / src.name
    shutil.copy(src, local)
    rc = main(["extract", "--out", str(tmp_path / "out"), str(local)])
    assert rc == 0
    d = json.loads((tmp_path / "out" / (src.stem + ".json")).read_text(encoding="utf-8"))
    assert {"doc", "title", "region", "targets", "tasks"} <= set(d)
    assert d["targets"] and d["tasks"]


def _degrade(pred_dir: Path, out: Path) -> Path:
    """A worse copy of the predictions, so that the scorers also agree on misses, extras, wrong
    ops and kinds, other years, missing parents and shuffled units."""
    out.mkdir()
    for n, f in enumerate(sorted(pred_dir.glob("*.json"))):
        d = json.loads(f.read_text(encoding="utf-8"))
        targets = d.get("targets") or []
        for i, t in enumerate(targets):
            if i % 4 == 1:
                t["op"] = "~" if t.get("op") == ">=" else ">="
            if i % 5 == 2:
                t["kind"] = "new" if t.get("kind") != "new" else "level"
            if i % 7 == 3 and t.get("year"):
                t["year"] = int(t["year"]) + 1
        d["targets"] = [t for i, t in enumerate(targets) if i % 6 != 5]
        d["targets"].append({"indicator": "示例指标", "op": ">=", "value": 1, "unit": "个"})
        tasks = d.get("tasks") or []
        for i, task in enumerate(tasks):
            if i % 3 == 0:
                task.pop("parent", None)
            if i % 4 == 2:
                task["units"] = list(reversed(task.get("units") or []))
            if i % 9 == 4:
                task["units"] = (task.get("units") or [])[:1] + ["某某局"]
        d["tasks"] = [task for i, task in enumerate(tasks) if i % 8 != 7]
        if n == 0:  # one document without a prediction at all
            continue
        (out / f.name).write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return out


def _same_figures(pred_dir: Path, gold_dir: Path):
    _, reference = shared_scorer().score(str(pred_dir), str(gold_dir))
    _, ours = scoring.score(pred_dir, gold_dir)
    assert ours == reference, {k: (ours.get(k), reference.get(k)) for k in reference}
    return ours


def test_project_scorer_matches_reference_on_seeds(tmp_path):
    corpus = seed_corpus()
    pred = _predict(corpus, tmp_path / "pred")
    _same_figures(pred, corpus / "gold")
    worse = _same_figures(_degrade(pred, tmp_path / "worse"), corpus / "gold")
    assert worse["targets_f1"] < 0.95 and worse["lead_accuracy"] < 1  # the copy is worse
    empty = tmp_path / "empty"
    empty.mkdir()
    _same_figures(empty, corpus / "gold")


def test_project_scorer_matches_reference_on_heldout(tmp_path):
    seed_corpus()
    pairs = [(f.stem, extract_file(f)) for f in sorted((HELDOUT / "docs").iterdir())]
    pred = write_predictions(pairs, tmp_path / "pred")
    _same_figures(pred, HELDOUT / "gold")
    _same_figures(_degrade(pred, tmp_path / "worse"), HELDOUT / "gold")
