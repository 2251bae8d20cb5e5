"""Helper for writing gold files by hand: T(...) for targets, K(...) for tasks."""

import json, sys
from pathlib import Path

GOLD = Path(__file__).resolve().parent.parent / "gold"


def T(ind, op, val, unit, year, kind, text):
    return {
        "indicator": ind,
        "op": op,
        "value": val,
        "unit": unit,
        "year": year,
        "kind": kind,
        "text": text,
    }


def K(number, parent, title, units):
    return {"number": number, "parent": parent, "title": title, "units": units}


def write(doc, title, region, targets, tasks):
    stem = doc.rsplit(".", 1)[0]
    d = {"doc": doc, "title": title, "region": region, "targets": targets, "tasks": tasks}
    (GOLD / f"{stem}.json").write_text(
        json.dumps(d, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(stem, len(targets), "targets", len(tasks), "tasks")
