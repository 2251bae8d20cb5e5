"""Diagnostics beyond score_extraction.py: op/kind/year disagreements among matched targets, and task/unit mismatches.

usage: python3 src/diag.py PRED_DIR GOLD_DIR
"""
import json, sys
from pathlib import Path
sys.path.insert(0, "/work/shared/corpus")
import score_extraction as S

pred_dir, gold_dir = Path(sys.argv[1]), Path(sys.argv[2])
for gf in sorted(gold_dir.glob("*.json")):
    g = json.loads(gf.read_text()); pf = pred_dir / gf.name
    p = json.loads(pf.read_text()) if pf.exists() else {}
    out = []
    for a, b in S.match_targets(g["targets"], p.get("targets", [])):
        diffs = [f"{k}: gold={a.get(k)!r} pred={b.get(k)!r}" for k in ("op", "kind", "year") if a.get(k) != b.get(k) and not (k == "year" and a.get(k) is None)]
        if a.get("year") is None and b.get("year") is not None:
            diffs.append(f"(year: gold=None pred={b.get('year')})")
        if diffs:
            out.append(f"  T {a['indicator']} {a['value']}{a['unit']}: " + "; ".join(diffs))
    mk = S.match_tasks(g["tasks"], p.get("tasks", []))
    hit = {id(x) for x, _ in mk}
    for a, b in mk:
        if [S.norm_unit_name(u) for u in a["units"]] != [S.norm_unit_name(u) for u in b.get("units", [])]:
            out.append(f"  U {a['number']}/{a.get('parent')} {a['title']}: gold={a['units']} pred={b.get('units')}")
        if a.get("parent") and b.get("parent") and S.norm_number(a["parent"]) != S.norm_number(b["parent"]):
            out.append(f"  P {a['number']} {a['title']}: parent gold={a['parent']} pred={b['parent']}")
    for a in g["tasks"]:
        if id(a) not in hit:
            out.append(f"  K missed task {a['number']}/{a.get('parent')} {a['title']} {a['units']}")
    used = {id(b) for _, b in mk}
    for b in p.get("tasks", []):
        if id(b) not in used:
            out.append(f"  K extra task {b.get('number')}/{b.get('parent')} {b.get('title')} {b.get('units')}")
    print(gf.stem, f"(title pred={p.get('title')!r}, region pred={p.get('region')!r})")
    print("\n".join(out) if out else "  ok")
