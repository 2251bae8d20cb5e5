"""Same plans as .txt / .docx / .pdf / .html / 分工表 / traditional characters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcity.plans.extraction import extract_file, extract_text, scoring

from . import docgen
from .conftest import DATA

PLANS = ("plan_a", "plan_b")


def _score_files(files: dict[str, Path], tmp_path: Path, tag: str) -> dict:
    out = tmp_path / tag
    out.mkdir()
    for stem, f in files.items():
        ex = extract_file(f)
        (out / f"{stem}.json").write_text(
            json.dumps(ex.to_json(), ensure_ascii=False), encoding="utf-8"
        )
    gold = tmp_path / f"gold_{tag}"
    gold.mkdir()
    for stem in files:
        (gold / f"{stem}.json").write_text(
            (DATA / "gold" / f"{stem}.json").read_text(encoding="utf-8"), encoding="utf-8"
        )
    return scoring.score(out, gold)[1]


@pytest.fixture(scope="module")
def txt_scores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("txt")
    s = _score_files({p: DATA / f"{p}.txt" for p in PLANS}, tmp, "txt")
    assert s["targets_f1"] >= 0.95 and s["units_f1"] >= 0.98
    return s


def _close(a: dict, b: dict, tol: float):
    for key in ("targets_f1", "tasks_recall", "tasks_precision", "units_f1", "lead_accuracy"):
        assert abs(a[key] - b[key]) <= tol, (key, a[key], b[key])


def test_pdf_matches_txt(txt_scores, tmp_path):
    files = {
        p: docgen.write_pdf((DATA / f"{p}.txt").read_text(encoding="utf-8"), tmp_path / f"{p}.pdf")
        for p in PLANS
    }
    ex = extract_file(files["plan_a"])
    assert docgen.HEADER not in ex.text  # running header dropped
    assert "— 1 —" not in ex.text and "— 2 —" not in ex.text  # page numbers dropped
    _close(txt_scores, _score_files(files, tmp_path, "pdf"), 0.02)


def test_docx_matches_txt(txt_scores, tmp_path):
    files = {
        p: docgen.write_docx(
            (DATA / f"{p}.txt").read_text(encoding="utf-8"), tmp_path / f"{p}.docx"
        )
        for p in PLANS
    }
    ex = extract_file(files["plan_a"])
    assert docgen.HEADER not in ex.text
    _close(txt_scores, _score_files(files, tmp_path, "docx"), 0.02)


def test_html_with_furniture(txt_scores, tmp_path):
    files = {
        p: docgen.write_html(
            (DATA / f"{p}.txt").read_text(encoding="utf-8"), tmp_path / f"{p}.html"
        )
        for p in PLANS
    }
    ex = extract_file(files["plan_a"])
    for junk in (
        "您当前的位置",
        "浏览次数",
        "分享到",
        "扫一扫",
        "ICP备",
        "网友评论",
        "相关链接",
        "推进会",
        "网站首页",
    ):
        assert junk not in ex.text, junk
    assert ex.title.startswith("示例市质量强市建设三年行动方案")
    _close(txt_scores, _score_files(files, tmp_path, "html"), 0.02)


def test_html_gbk_encoded(tmp_path):
    text = (DATA / "plan_b.txt").read_text(encoding="utf-8")
    f = docgen.write_html(text, tmp_path / "gbk.htm", encoding="gbk")
    ex = extract_file(f)
    assert len(ex.tasks) == 8 and len(ex.targets) >= 15


def test_txt_encodings(tmp_path):
    text = (DATA / "plan_b.txt").read_text(encoding="utf-8")
    ref = extract_text(text)
    for enc in ("utf-8-sig", "gbk", "gb18030"):
        f = tmp_path / f"plan_{enc}.txt"
        f.write_bytes(text.encode(enc))
        ex = extract_file(f)
        assert [t.indicator for t in ex.targets] == [t.indicator for t in ref.targets], enc
        assert [t.units for t in ex.tasks] == [t.units for t in ref.tasks], enc


def _inline_tasks(text: str):
    return [
        (t.number.strip("()（）.、"), t.title, t.lead_units, t.co_units)
        for t in extract_text(text).tasks
    ]


def _table_plan():
    text = (DATA / "plan_b.txt").read_text(encoding="utf-8")
    rows = docgen.split_tasks(text)
    assert len(rows) >= 3
    return text, rows


def test_task_table_docx_gives_inline_tasks(tmp_path):
    text, rows = _table_plan()
    # the inline form of the same items, with the units written as 牵头单位/配合单位
    inline = "一、重点任务\n" + "\n".join(
        f"（{r[0]}）{r[1]}。{r[2]}（牵头单位：{r[3]}；配合单位：{r[4]}）" for r in rows if r[3]
    )
    f = docgen.write_task_table_docx(
        "2025年示例市质量强市工作要点", "现将任务分工印发如下。", rows, tmp_path / "t.docx"
    )
    ex = extract_file(f)
    got = [
        (t.number.strip("()（）.、"), t.title, t.lead_units, t.co_units)
        for t in ex.tasks
        if t.source == "table"
    ]
    want = _inline_tasks(inline)
    assert got == want
    assert ex.tasks[0].deadline == "2025年12月底前"
    # targets inside the table's content cells are found too
    assert any(t.unit == "万批次" and t.value == 1.2 for t in ex.targets)


def test_task_table_xlsx(tmp_path):
    text, rows = _table_plan()
    inline = "一、重点任务\n" + "\n".join(
        f"（{r[0]}）{r[1]}。{r[2]}（牵头单位：{r[3]}；配合单位：{r[4]}）" for r in rows if r[3]
    )
    f = docgen.write_task_table_xlsx("示例市2025年质量工作任务分工表", rows, tmp_path / "t.xlsx")
    ex = extract_file(f)
    got = [(t.number.strip("()（）.、"), t.title, t.lead_units, t.co_units) for t in ex.tasks]
    assert got == _inline_tasks(inline)
    assert "任务分工表" in ex.text.split("\n")[0]


def test_traditional_with_pinyin_glosses():
    from opencc import OpenCC

    text = (DATA / "plan_b.txt").read_text(encoding="utf-8")
    trad = OpenCC("s2t").convert(text)
    assert trad != text
    trad = (
        trad.replace("質量", "質(zhì)量", 3)
        .replace("標準", "標（biāo）準", 2)
        .replace("監管", "監(jian)管", 2)
    )
    a, b = extract_text(text), extract_text(trad)
    assert [(t.indicator, t.value, t.unit, t.op, t.year) for t in a.targets] == [
        (t.indicator, t.value, t.unit, t.op, t.year) for t in b.targets
    ]
    assert [(t.number, t.title, t.units) for t in a.tasks] == [
        (t.number, t.title, t.units) for t in b.tasks
    ]
    assert b.title == "2025年示例市质量强市工作要点"
    # spans map back into the original text (the glosses shift the offsets)
    t = b.targets[0]
    assert b.text[t.span[1] - 1] == "次"
    src = b.to_json()["targets"][0]["source_span"]
    assert trad[src[1] - 1] == "次" and trad[src[0] : src[1]].endswith("1.2萬批次")
