"""docs/draw.md re-implemented from the document alone, compared with qcity.inspection.draw;
plus allocation, refusal, avoidance and verify tests."""

import hashlib
import json
import math
import random
import unicodedata
from fractions import Fraction

import pytest

from qcity.inspection import draw as D

# ---------------------------------------------------------------- independent implementation
# Written from docs/draw.md only; it must not import anything from the project.


def spec_canonical(fmt, text):
    """§4.2: fold, drop labels, split, check, write canonically."""
    t = unicodedata.normalize("NFKC", text)
    for label in ("开奖号码", "红球", "蓝球", "前区", "后区", "号码"):
        t = t.replace(label, " ")
    for sep in ",，、;；+|/:：-":
        t = t.replace(sep, " ")
    pieces = t.split()
    if not all(p.isascii() and p.isdigit() for p in pieces):
        raise ValueError(text)
    zones = {"ssq-7x2": ((6, 33), (1, 16)), "dlt-7x2": ((5, 35), (2, 12))}
    if fmt in zones:
        (nf, hf), (nb, hb) = zones[fmt]
        if len(pieces) != nf + nb:
            raise ValueError(text)
        out = []
        for part, hi in ((pieces[:nf], hf), (pieces[nf:], hb)):
            balls = sorted(int(p) for p in part)
            if len(set(balls)) != len(balls) or not all(1 <= b <= hi for b in balls):
                raise ValueError(text)
            out += [f"{b:02d}" for b in balls]
        return " ".join(out)
    k = {"pl5-5x1": 5, "3d-3x1": 3}[fmt]
    if len(pieces) == 1 and len(pieces[0]) == k:
        pieces = list(pieces[0])
    if len(pieces) != k or any(len(p) != 1 for p in pieces):
        raise ValueError(text)
    return " ".join(pieces)


def spec_draw(secret, public_value, enterprises, inspectors, params, conflicts, history, source):
    sha = hashlib.sha256
    sb = bytes.fromhex(secret)

    def cj(o):
        return json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    if not source["available_at"] > source["committed_at"]:  # fixed-width UTC text
        raise ValueError("value known at commitment")
    public_value = spec_canonical(source["format"], public_value)

    lines = sorted((c, e) for c in enterprises for e in enterprises[c])
    ent_l = "".join(c + "\t" + e + "\n" for c, e in lines).encode()
    ins_l = "".join(i + "\t" + inspectors[i] + "\n" for i in sorted(inspectors)).encode()
    cons = {
        "conflicts": sorted({(i, e) for i, e in conflicts}),
        "history": {e: [sorted(set(t)) for t in h] for e, h in sorted(history.items()) if h},
    }
    commitment = [sha(x).hexdigest() for x in (sb, ent_l, ins_l, cj(cons), cj(params), cj(source))]
    N = {c: len(v) for c, v in enterprises.items()}
    r = params["ratios"]
    if params["counts"] is not None:
        n = {c: params["counts"].get(c, 0) for c in sorted(N)}
    elif params["total"] is None:
        n = {c: math.ceil(N[c] * Fraction(r.get(c, "0")) / 100) for c in sorted(N)}
    else:
        w = {c: N[c] * (Fraction(r.get(c, "0")) if r is not None else 1) for c in sorted(N)}
        n, op, left = {c: 0 for c in N}, [c for c in sorted(N) if w[c] > 0], params["total"]
        while True:
            s = sum(w[c] for c in op)
            cap = [c for c in op if s and left * w[c] / s >= N[c]]
            if not cap:
                break
            for c in cap:
                n[c], left = N[c], left - N[c]
                op.remove(c)
        if op and left:
            s = sum(w[c] for c in op)
            q = {c: left * w[c] / s for c in op}
            for c in op:
                n[c] = math.floor(q[c])
            for c in sorted(op, key=lambda c: (-(q[c] - math.floor(q[c])), c))[
                : left - sum(n[c] for c in op)
            ]:
                n[c] += 1
    seed = sha(sb + public_value.encode()).digest()

    def ke(e):
        return sha(seed + b"E\x00" + e.encode()).digest() + e.encode()

    def ki(e, i):
        return sha(seed + b"I\x00" + e.encode() + b"\x00" + i.encode()).digest() + i.encode()

    sel = {c: sorted(enterprises[c], key=ke)[: n[c]] for c in sorted(enterprises)}
    order = sorted((e for c in sel for e in sel[c]), key=ke)
    load, teams, depts = {i: 0 for i in inspectors}, {}, params["joint_departments"]
    for e in order:
        bad = {i for i, x in conflicts if x == e}
        if params["recent_n"]:
            bad |= {i for t in history.get(e, [])[-params["recent_n"] :] for i in t}
        cap = params["workload_cap"]
        rank = sorted(
            (
                i
                for i in inspectors
                if (not depts or inspectors[i] in depts)
                and i not in bad
                and (cap is None or load[i] < cap)
            ),
            key=lambda i: ki(e, i),
        )
        team = []
        for d in depts:
            first = [i for i in rank if inspectors[i] == d]
            if not first:
                raise ValueError(e)
            team.append(first[0])
        team += [i for i in rank if i not in team][: params["team_size"] - len(team)]
        if len(team) < params["team_size"]:
            raise ValueError(e)
        teams[e] = sorted(team, key=lambda i: ki(e, i))
        for i in team:
            load[i] += 1
    return commitment, n, sel, order, teams


# ---------------------------------------------------------------- helpers


def make_world(rng, n_ent=300, n_insp=25):
    classes = "ABCD"
    pop = {c: [] for c in classes}
    for k in range(n_ent):
        pop[rng.choice(classes)].append(f"9133{rng.randrange(10**13):013d}X{k}")
    depts = ["市场监管", "卫生健康", "应急管理"]
    insp = {f"执法{k:03d}": rng.choice(depts) for k in range(n_insp)}
    ents = [e for ids in pop.values() for e in ids]
    ins = list(insp)
    conflicts = {(rng.choice(ins), rng.choice(ents)) for _ in range(40)}
    history = {
        e: [rng.sample(ins, 2) for _ in range(rng.randrange(1, 4))] for e in rng.sample(ents, 60)
    }
    return pop, insp, sorted(conflicts), history


SOURCE = {
    "available_at": "2024-06-04T13:30:00Z",
    "committed_at": "2024-06-03T02:00:00Z",
    "format": "pl5-5x1",
    "issue": "24150",
    "name": "中国体育彩票“排列5”",
}


def compare(secret, pv, pop, insp, params, conflicts, history, source=SOURCE):
    lib_source = D.PublicSource(**source)
    res = D.draw(secret, pv, pop, insp, params, conflicts, history, lib_source)
    c, n, sel, order, teams = spec_draw(
        secret,
        pv,
        pop,
        insp,
        json.loads(D.canonical_json(params.canonical())),
        conflicts,
        history,
        source,
    )
    cm = res.commitment
    assert c == [
        cm.secret_sha256,
        cm.enterprises_sha256,
        cm.inspectors_sha256,
        cm.constraints_sha256,
        cm.parameters_sha256,
        cm.source_sha256,
    ]
    assert n == res.allocation
    assert sel == res.selected
    assert order == res.order
    assert teams == res.teams
    return res


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_spec_matches_reference(seed):
    rng = random.Random(seed)
    pop, insp, conflicts, history = make_world(rng)
    secret = rng.randbytes(32).hex()
    params_list = [
        D.DrawParams(
            team_size=2,
            ratios={"A": "1", "B": "2", "C": "10", "D": "30"},
            recent_n=2,
            workload_cap=8,
        ),
        D.DrawParams(team_size=3, total=37, recent_n=1),
        D.DrawParams(team_size=2, total=20, ratios={"A": 1, "B": "2.5", "C": 10, "D": 30}),
        D.DrawParams(
            team_size=3,
            counts={"A": 2, "D": 3},
            joint_departments=("市场监管", "卫生健康"),
            recent_n=3,
        ),
    ]
    ssq = {**SOURCE, "format": "ssq-7x2", "name": "中国福利彩票“双色球”", "issue": "2024061"}
    for p in params_list:
        compare(secret, f"{rng.randrange(10**5):05d}", pop, insp, p, conflicts, history)
        reds = rng.sample(range(1, 34), 6)
        written = "，".join(str(r) for r in reds) + f" + {rng.randrange(1, 17)}"
        compare(secret, written, pop, insp, p, conflicts, history, ssq)


def test_spec_canonical_forms_match_reference():
    rng = random.Random(5)
    for fmt in ("ssq-7x2", "dlt-7x2", "pl5-5x1", "3d-3x1"):
        for _ in range(50):
            k = rng.randrange(1, 9)
            text = " ".join(str(rng.randrange(0, 40)) for _ in range(k))
            try:
                expected = spec_canonical(fmt, text)
            except ValueError:
                with pytest.raises(D.DrawError):
                    D.canonical_value(fmt, text)
            else:
                assert D.canonical_value(fmt, text) == expected
    assert spec_canonical("ssq-7x2", "红球：33 25 18 12 05 01 蓝球：07") == "01 05 12 18 25 33 07"


def test_spec_refuses_value_known_at_commitment():
    late = {**SOURCE, "available_at": SOURCE["committed_at"]}
    with pytest.raises(ValueError):
        spec_draw(SECRET, "71930", {"A": ["E1"]}, {}, {}, [], {}, late)
    with pytest.raises(D.DrawError, match="必须晚于承诺公布时间"):
        D.draw(
            SECRET,
            "71930",
            _pop(2),
            {"P0": "", "P1": ""},
            D.DrawParams(team_size=2, counts={"B": 1}),
            source=D.PublicSource(**late),
        )


def test_worked_example_from_doc():
    pop = {
        "A": [f"E{k:02d}" for k in range(1, 7)],
        "B": ["E07", "E08", "E09", "E10"],
        "C": ["E11", "E12", "E13"],
        "D": ["E14", "E15"],
    }
    insp = {
        "P1": "市场监管",
        "P2": "市场监管",
        "P3": "市场监管",
        "P4": "市场监管",
        "P5": "卫生健康",
        "P6": "卫生健康",
    }
    params = D.DrawParams(
        team_size=2,
        ratios={"A": "20", "B": "25", "C": "50", "D": "100"},
        recent_n=1,
        workload_cap=3,
    )
    res = compare(
        bytes(range(32)).hex(),
        "71930",
        pop,
        insp,
        params,
        [("P1", "E14")],
        {"E15": [["P2", "P3"], ["P4", "P5"]]},
    )
    assert res.commitment.enterprises_sha256.startswith("de260e1f")
    assert res.commitment.parameters_sha256.startswith("b8e89904")
    assert res.commitment.source_sha256.startswith("ef944fb0")
    assert res.public_value == "7 1 9 3 0"
    assert res.seed.startswith("36394f92")
    assert res.selected == {
        "A": ["E06", "E04"],
        "B": ["E07"],
        "C": ["E13", "E11"],
        "D": ["E15", "E14"],
    }
    assert res.order == ["E06", "E07", "E04", "E13", "E11", "E15", "E14"]
    assert res.teams["E11"] == ["P2", "P5"]  # P4 at the cap
    assert res.teams["E15"] == ["P6", "P1"] and res.teams["E14"] == ["P5", "P3"]


# ---------------------------------------------------------------- allocation


def test_allocation_ratio_ceil():
    got = D.allocate(
        {"A": 150, "B": 1, "C": 0, "D": 7}, ratios={"A": "1", "B": "2", "C": "10", "D": "30"}
    )
    assert got == {"A": 2, "B": 1, "C": 0, "D": 3}  # 1.5→2, 0.02→1, 0→0, 2.1→3
    assert D.allocate({"A": 100}, ratios={"A": "1"}) == {"A": 1}  # exact, no float drift
    assert D.allocate({"A": 10, "B": 5}, ratios={"A": "0"}) == {"A": 0, "B": 0}


def test_allocation_total_largest_remainder():
    assert D.allocate({"A": 10, "B": 10, "C": 10}, total=10) == {
        "A": 4,
        "B": 3,
        "C": 3,
    }  # tie → label order
    assert D.allocate({"A": 50, "B": 30, "C": 20}, total=7) == {
        "A": 4,
        "B": 2,
        "C": 1,
    }  # 3.5,2.1,1.4
    got = D.allocate({"A": 1000, "D": 5}, total=100, ratios={"A": 1, "D": 30})  # D capped at 5
    assert got == {"A": 95, "D": 5}
    assert sum(D.allocate({"A": 3, "B": 7, "C": 11, "D": 13}, total=17).values()) == 17


def test_refuses_too_large():
    with pytest.raises(D.DrawError, match="超过"):
        D.allocate({"A": 3, "B": 2}, total=6)
    with pytest.raises(D.DrawError, match="B类"):
        D.allocate({"A": 3, "B": 2}, counts={"B": 3})
    with pytest.raises(D.DrawError):
        D.allocate({"A": 3}, ratios={"A": "120"})


# ---------------------------------------------------------------- avoidance rules

SECRET = "ab" * 32


def _pop(n=6):
    return {"B": [f"E{k}" for k in range(n)]}


def test_conflict_avoided():
    insp = {f"P{k}": "" for k in range(4)}
    conflicts = [("P0", "E0"), ("P1", "E0"), ("P2", "E1")]
    for pv in map(str, range(20)):
        res = D.draw(
            SECRET, pv, _pop(2), insp, D.DrawParams(team_size=2, counts={"B": 2}), conflicts
        )
        assert sorted(res.teams["E0"]) == ["P2", "P3"]
        assert "P2" not in res.teams["E1"]


def test_recent_history_n():
    insp = {f"P{k}": "" for k in range(5)}
    history = {"E0": [["P4", "P3"], ["P0", "P1"], ["P2", "P3"]]}  # oldest first
    # the last 2 teams are {P0,P1} and {P2,P3}: only P4 is left, so the draw must refuse
    with pytest.raises(D.DrawError, match="E0"):
        D.draw(
            SECRET,
            "x",
            _pop(1),
            insp,
            D.DrawParams(team_size=2, counts={"B": 1}, recent_n=2),
            history=history,
        )
    r1 = D.draw(
        SECRET,
        "x",
        _pop(1),
        insp,
        D.DrawParams(team_size=2, counts={"B": 1}, recent_n=1),
        history=history,
    )
    assert set(r1.teams["E0"]) <= {"P0", "P1", "P4"}
    r0 = D.draw(
        SECRET,
        "x",
        _pop(1),
        insp,
        D.DrawParams(team_size=2, counts={"B": 1}, recent_n=0),
        history=history,
    )
    assert len(r0.teams["E0"]) == 2


def test_workload_cap():
    insp = {f"P{k}": "" for k in range(6)}
    res = D.draw(
        SECRET, "y", _pop(6), insp, D.DrawParams(team_size=2, counts={"B": 6}, workload_cap=2)
    )
    loads = {}
    for team in res.teams.values():
        for i in team:
            loads[i] = loads.get(i, 0) + 1
    assert max(loads.values()) <= 2 and sum(loads.values()) == 12
    with pytest.raises(D.DrawError, match="无法配对"):
        D.draw(
            SECRET, "y", _pop(6), insp, D.DrawParams(team_size=2, counts={"B": 6}, workload_cap=1)
        )


def test_team_size_at_least_two_and_joint():
    insp = {"P0": "市场监管", "P1": "市场监管", "P2": "市场监管", "Q0": "卫生健康"}
    with pytest.raises(D.DrawError, match="不得少于2名"):
        D.draw(SECRET, "z", _pop(2), insp, D.DrawParams(team_size=1, counts={"B": 1}))
    res = D.draw(
        SECRET,
        "z",
        _pop(3),
        insp,
        D.DrawParams(team_size=3, counts={"B": 3}, joint_departments=["卫生健康", "市场监管"]),
    )
    for team in res.teams.values():
        assert len(team) == 3 and "Q0" in team
    with pytest.raises(D.DrawError, match="卫生健康"):
        D.draw(
            SECRET,
            "z",
            _pop(3),
            insp,
            D.DrawParams(
                team_size=2,
                counts={"B": 3},
                joint_departments=["卫生健康", "市场监管"],
                workload_cap=2,
            ),
        )


def test_rejects_duplicates_and_bad_ids():
    with pytest.raises(D.DrawError, match="重复"):
        D.draw(
            SECRET,
            "z",
            {"A": ["E1"], "B": ["E1"]},
            {"P0": "", "P1": ""},
            D.DrawParams(team_size=2, counts={}),
        )
    with pytest.raises(D.DrawError):
        D.draw(
            SECRET, "z", {"A": ["E\t1"]}, {"P0": "", "P1": ""}, D.DrawParams(team_size=2, counts={})
        )
    with pytest.raises(D.DrawError, match="十六进制"):
        D.derive_seed("not hex", "z")


# ---------------------------------------------------------------- verify


def test_verify_detects_changes():
    rng = random.Random(9)
    pop, insp, conflicts, history = make_world(rng, 120, 12)
    params = D.DrawParams(
        team_size=2, ratios={"A": "5", "B": "10", "C": "20", "D": "50"}, recent_n=1
    )
    secret = D.new_secret()
    res = D.draw(secret, "07 15 22 28 31", pop, insp, params, conflicts, history)
    published = json.loads(json.dumps(res.as_dict(), ensure_ascii=False))
    assert D.verify(published, secret, pop, insp, params, conflicts, history).ok
    # the announced public value differs from the one used
    rep = D.verify(
        published, secret, pop, insp, params, conflicts, history, public_value="07 15 22 28 32"
    )
    assert not rep.ok and any("公开随机数" in m for m in rep.mismatches)
    assert any("抽中企业" in m for m in rep.mismatches)
    # one enterprise removed from the list after the commitment
    changed = {c: list(v) for c, v in pop.items()}
    changed["D"] = changed["D"][1:]
    rep = D.verify(published, secret, changed, insp, params, conflicts, history)
    assert any("检查对象名录摘要" in m for m in rep.mismatches)
    # a different secret
    rep = D.verify(published, D.new_secret(), pop, insp, params, conflicts, history)
    assert any("密钥摘要" in m for m in rep.mismatches)
    # a tampered team
    e = published["order"][0]
    published["teams"][e] = list(reversed(published["teams"][e]))
    rep = D.verify(published, secret, pop, insp, params, conflicts, history)
    assert rep.mismatches == [f"企业“{e}”的检查人员不一致"]
