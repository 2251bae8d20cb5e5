"""The project's own scorer for plan extractions against gold annotations.

Written from the scoring rules of the corpus schema (``SCHEMA.md`` beside the seed corpus), so
that tests on data kept in this repository (the held-out plans, the synthetic format plans)
do not need ``../shared``. A corpus test checks that it reports the same figures as the
corpus's reference scorer, so any drift between the two shows up where the corpus exists.

Targets: a prediction matches a gold target when the values are equal, the units are equal
(or one starts with the other), the years agree (a gold year of null accepts any), and the
indicator names are close (Dice coefficient of character bigrams >= 0.4 after scope words and
punctuation are dropped); the closest pairs are taken first, each side used once.
Tasks: matched on the folded number (and parent, where both sides give one) and a title
similarity of at least 0.5. Units: set F1 over matched tasks, a missed task's gold units
counting as missed; lead-unit accuracy over the gold tasks that name units.

Usage: ``python -m qcity.plans.extraction.scoring PRED_DIR GOLD_DIR [--json] [--verbose]``
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, fields
from pathlib import Path

TARGET_SIMILARITY = 0.4
TITLE_SIMILARITY = 0.5

_SCOPE = ("全市", "全省", "我市", "我省", "全区", "全县", "本市", "全国")
_WIDE = {"（": "(", "）": ")", "【": "[", "】": "]", "％": "%", "，": ",", "：": ":", "；": ";"}
_WIDE["\u3000"] = " "
_WIDE_TABLE = str.maketrans(_WIDE)
_NUMBER_TABLE = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "．": ".", "、": "."}
)
_NAME_JUNK = re.compile(r"[\s\"“”‘’'《》<>()\[\]、,.:;·\-—]")
_UNIT_JUNK = re.compile(r"[\s()\[\]]")
_NUMBER_EDGES = "()[].、"


# --- normalisation -----------------------------------------------------------------------


def name_key(text: str | None) -> str:
    """An indicator, title or unit name without full-width forms, scope words or punctuation."""
    folded = (text or "").translate(_WIDE_TABLE)
    for word in _SCOPE:
        folded = folded.replace(word, "")
    return _NAME_JUNK.sub("", folded)


def unit_key(unit: str | None) -> str:
    return _UNIT_JUNK.sub("", (unit or "").translate(_WIDE_TABLE)).lower()


def number_key(number: str | None) -> str:
    """ "（一）", "(一)", "一、" → "一"; "1.", "１．", "1、" → "1"."""
    folded = (number or "").translate(_WIDE_TABLE).translate(_NUMBER_TABLE)
    return "".join(folded.split()).strip(_NUMBER_EDGES)


def _bigrams(text: str | None) -> set[str]:
    key = name_key(text)
    pairs = {key[i : i + 2] for i in range(len(key) - 1)}
    return pairs if pairs else set(key)


def similarity(a: str | None, b: str | None) -> float:
    """Dice coefficient of the character bigrams of two names (0 when either is empty)."""
    left, right = _bigrams(a), _bigrams(b)
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))


# --- targets -----------------------------------------------------------------------------


def _numbers(value) -> list[float] | None:
    if value is None:
        return None
    items = value if isinstance(value, list | tuple) else [value]
    try:
        return [float(x) for x in items]
    except (TypeError, ValueError):
        return None


def same_value(a, b) -> bool:
    left, right = _numbers(a), _numbers(b)
    if left is None or right is None or len(left) != len(right):
        return False
    return all(abs(x - y) <= 1e-9 * max(1.0, abs(x)) for x, y in zip(left, right, strict=True))


def same_unit(a: str | None, b: str | None) -> bool:
    left, right = unit_key(a), unit_key(b)
    if left == right:
        return True
    return bool(left and right) and (left.startswith(right) or right.startswith(left))


def _year(target: dict) -> int | None:
    try:
        return None if target.get("year") is None else int(target["year"])
    except (TypeError, ValueError):
        return None


def match_targets(gold: list[dict], pred: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs (gold, prediction), the closest names first; each target is used at most once.

    Among equally close candidates the later gold target, then the later prediction, is
    taken first (the reference scorer's order, kept so both report the same accuracies)."""
    candidates = []
    for gi, g in enumerate(gold):
        gold_year = _year(g)
        for pi, p in enumerate(pred):
            if not same_value(g.get("value"), p.get("value")):
                continue
            if not same_unit(g.get("unit"), p.get("unit")):
                continue
            if gold_year is not None and gold_year != _year(p):
                continue
            closeness = similarity(g.get("indicator"), p.get("indicator"))
            if closeness >= TARGET_SIMILARITY:
                candidates.append((closeness, gi, pi))
    candidates.sort(reverse=True)
    taken_gold: set[int] = set()
    taken_pred: set[int] = set()
    pairs = []
    for _, gi, pi in candidates:
        if gi not in taken_gold and pi not in taken_pred:
            taken_gold.add(gi)
            taken_pred.add(pi)
            pairs.append((gold[gi], pred[pi]))
    return pairs


# --- tasks -------------------------------------------------------------------------------


def _parents_clash(g: dict, p: dict) -> bool:
    return bool(g.get("parent") and p.get("parent")) and (
        number_key(g["parent"]) != number_key(p["parent"])
    )


def match_tasks(gold: list[dict], pred: list[dict]) -> list[tuple[dict, dict]]:
    """Each gold task in order takes the unused prediction with its number (and parent) whose
    title is closest (the first such on ties), when that title is close enough."""
    used: set[int] = set()
    pairs = []
    for g in gold:
        number = number_key(g.get("number"))
        best, best_closeness = None, 0.0
        for pi, p in enumerate(pred):
            if pi in used or number_key(p.get("number")) != number or _parents_clash(g, p):
                continue
            closeness = similarity(g.get("title"), p.get("title"))
            if closeness > best_closeness:
                best, best_closeness = pi, closeness
        if best is not None and best_closeness >= TITLE_SIMILARITY:
            used.add(best)
            pairs.append((g, pred[best]))
    return pairs


# --- totals ------------------------------------------------------------------------------


@dataclass
class Tally:
    gold_targets: int = 0
    pred_targets: int = 0
    matched_targets: int = 0
    op_right: int = 0
    kind_right: int = 0
    not_ge: int = 0  # matched pairs whose gold op is not ">="
    not_ge_right: int = 0
    gold_tasks: int = 0
    pred_tasks: int = 0
    matched_tasks: int = 0
    units_right: int = 0
    units_extra: int = 0
    units_missed: int = 0
    leads: int = 0  # gold tasks that name units
    leads_right: int = 0

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def _ratio(part: int, whole: int, empty: float) -> float:
    return part / whole if whole else empty


def _f1(right: int, predicted: int, expected: int) -> tuple[float, float, float]:
    precision = _ratio(right, predicted, 0.0 if expected else 1.0)
    recall = _ratio(right, expected, 1.0)
    both = precision + recall
    return precision, recall, (2 * precision * recall / both if both else 0.0)


def score_document(gold: dict, pred: dict) -> tuple[Tally, list, list]:
    """Counts for one document; also the matched target and task pairs."""
    t = Tally()
    gold_targets = gold.get("targets") or []
    pred_targets = pred.get("targets") or []
    target_pairs = match_targets(gold_targets, pred_targets)
    t.gold_targets, t.pred_targets = len(gold_targets), len(pred_targets)
    t.matched_targets = len(target_pairs)
    for g, p in target_pairs:
        t.op_right += g.get("op") == p.get("op")
        t.kind_right += g.get("kind") == p.get("kind")
        if g.get("op") != ">=":
            t.not_ge += 1
            t.not_ge_right += g.get("op") == p.get("op")

    gold_tasks = gold.get("tasks") or []
    pred_tasks = pred.get("tasks") or []
    task_pairs = match_tasks(gold_tasks, pred_tasks)
    t.gold_tasks, t.pred_tasks, t.matched_tasks = (
        len(gold_tasks),
        len(pred_tasks),
        len(task_pairs),
    )
    found = {id(g) for g, _ in task_pairs}
    for g in gold_tasks:
        if id(g) not in found and g.get("units"):
            t.units_missed += len({name_key(u) for u in g["units"]})
            t.leads += 1
    for g, p in task_pairs:
        want = [name_key(u) for u in g.get("units") or []]
        got = [name_key(u) for u in p.get("units") or []]
        t.units_right += len(set(want) & set(got))
        t.units_extra += len(set(got) - set(want))
        t.units_missed += len(set(want) - set(got))
        if want:
            t.leads += 1
            t.leads_right += bool(got) and got[0] == want[0]
    return t, target_pairs, task_pairs


def summarise(t: Tally) -> dict:
    precision, recall, f1 = _f1(t.matched_targets, t.pred_targets, t.gold_targets)
    _, _, units_f1 = _f1(
        t.units_right, t.units_right + t.units_extra, t.units_right + t.units_missed
    )
    figures = {
        "targets_precision": precision,
        "targets_recall": recall,
        "targets_f1": f1,
        "op_accuracy": _ratio(t.op_right, t.matched_targets, 0.0),
        "op_accuracy_not_ge": _ratio(t.not_ge_right, t.not_ge, 1.0),
        "kind_accuracy": _ratio(t.kind_right, t.matched_targets, 0.0),
        "tasks_recall": _ratio(t.matched_tasks, t.gold_tasks, 1.0),
        "tasks_precision": _ratio(t.matched_tasks, t.pred_tasks, 0.0 if t.gold_tasks else 1.0),
        "units_f1": units_f1,
        "lead_accuracy": _ratio(t.leads_right, t.leads, 1.0),
    }
    summary = {key: round(value, 4) for key, value in figures.items()}
    summary["gold_targets"] = t.gold_targets
    summary["gold_tasks"] = t.gold_tasks
    return summary


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _show(target: dict) -> str:
    t = target
    return f"{t.get('indicator')} {t.get('op')} {t.get('value')}{t.get('unit')} ({t.get('year')})"


def score(pred_dir, gold_dir, verbose: bool = False) -> tuple[list[str], dict]:
    """Score every ``GOLD_DIR/NAME.json`` against ``PRED_DIR/NAME.json`` (a missing prediction
    counts as empty). Returns one line per document and the overall figures."""
    total = Tally()
    lines = []
    for gold_file in sorted(Path(gold_dir).glob("*.json")):
        gold = _read(gold_file)
        pred = _read(Path(pred_dir) / gold_file.name)
        t, target_pairs, _ = score_document(gold, pred)
        total.add(t)
        p, r, f = _f1(t.matched_targets, t.pred_targets, t.gold_targets)
        lines.append(
            f"{gold_file.stem}: targets P={p:.3f} R={r:.3f} F1={f:.3f} "
            f"({t.matched_targets}/{t.gold_targets} gold, {t.pred_targets} predicted); "
            f"tasks {t.matched_tasks}/{t.gold_tasks} matched, {t.pred_tasks} predicted"
        )
        if verbose:
            hit_gold = {id(g) for g, _ in target_pairs}
            hit_pred = {id(p) for _, p in target_pairs}
            lines += [
                f"   missed: {_show(g)}" for g in gold.get("targets") or [] if id(g) not in hit_gold
            ]
            lines += [
                f"   extra:  {_show(p)}" for p in pred.get("targets") or [] if id(p) not in hit_pred
            ]
    return lines, summarise(total)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    paths = [a for a in argv if not a.startswith("--")]
    if len(paths) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    lines, summary = score(paths[0], paths[1], verbose="--verbose" in argv)
    print("\n".join(lines))
    if "--json" in argv:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print("overall: " + " ".join(f"{k}={v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
