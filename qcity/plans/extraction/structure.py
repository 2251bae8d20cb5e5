"""Heading hierarchy of a plan: 第一章 / 一、 / (一) / 1. / (1) / ①, with char offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Section

CN_NUM = "一二三四五六七八九十百零〇两"
HEADING_PATTERNS: list[tuple[int, re.Pattern]] = [
    (-2, re.compile(r"第[" + CN_NUM + r"\d]{1,4}(?:章|部分|篇)\s*")),
    (-1, re.compile(r"第[" + CN_NUM + r"\d]{1,4}节\s*")),
    (1, re.compile(r"[" + CN_NUM + r"]{1,4}\s*[、.．]\s*")),
    (2, re.compile(r"[(（]\s*[" + CN_NUM + r"]{1,4}\s*[)）]\s*[、.]?\s*")),
    (3, re.compile(r"\d{1,3}\s*(?:[.．、](?!\d)|\s(?=[\u4e00-\u9fff]))\s*")),
    (4, re.compile(r"[(（]\s*\d{1,3}\s*[)）]\s*[、.]?\s*")),
    (4, re.compile(r"\d{1,3}\s*[)）]\s*")),
    (5, re.compile(r"[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")),
]

TITLE_END_RE = re.compile(r"[。！？!?；;：:]")
UNIT_TAIL_RE = re.compile(r"[(（][^()（）]*(?:牵头|负责|配合|责任单位|责任部门)[^()（）]*[)）]\s*$")

GOAL_RE = re.compile(
    r"^(?:总体要求|指导思想|基本原则|工作原则|总体思路|编制依据|发展基础|发展环境|面临形势|发展现状|现状与形势|"
    r"重要意义|适用范围|附则|名词解释|总则|目标|形势|背景)|目标|发展回顾|规划背景|发展现状|面临形势|机遇与挑战|主要成就|^[\u4e00-\u9fff]{0,4}(?:指导思想|总体要求|基本原则)"
)
WORK_RE = re.compile(r"任务|要点|重点工作|主要工作|工作内容|举措|行动|工程|专项")
SAFEGUARD_RE = re.compile(
    r"保障|措施|组织实施|组织领导|工作要求|实施步骤|进度安排|时间安排|工作步骤"
)


@dataclass
class Heading:
    level: int
    number: str
    title: str
    line_start: int
    title_start: int
    title_end: int


def match_heading(line: str) -> tuple[int, str, int] | None:
    """Return (level, number as written, length of the number prefix) for a heading line."""
    stripped = line.lstrip(" \t")
    indent = len(line) - len(stripped)
    if not stripped:
        return None
    for level, pat in HEADING_PATTERNS:
        m = pat.match(stripped)
        if not m:
            continue
        rest = stripped[m.end() :]
        if not rest or not re.match(r"[\u4e00-\u9fff“\"《‘A-Za-z]", rest):
            continue
        if level == 3 and re.match(r"\d", rest):
            continue
        number = m.group(0).strip()
        return level, number, indent + m.end()
    return None


def heading_title(text: str) -> str:
    """The heading sentence: up to the first 。/；/： or the end of the line."""
    m = TITLE_END_RE.search(text)
    title = text[: m.start()] if m else text
    title = UNIT_TAIL_RE.sub("", title).strip()
    if len(title) > 30:  # "（一）标题 正文…" with a space instead of a full stop
        m2 = re.search(r"(?<=[\u4e00-\u9fff”》)])\s{1,4}(?=[\u4e00-\u9fff“《(])", title)
        if m2 and m2.start() >= 4:
            title = title[: m2.start()]
    return title.strip(" ,，")


def find_headings(text: str) -> list[Heading]:
    heads: list[Heading] = []
    pos = 0
    for line in text.split("\n"):
        hit = match_heading(line) if len(line.strip()) > 1 else None
        if hit:
            level, number, plen = hit
            body = line[plen:]
            title = heading_title(body)
            if title and len(title) <= 120:
                ts = pos + plen
                heads.append(Heading(level, number, title, pos, ts, ts + len(title)))
        pos += len(line) + 1
    return _drop_stray(heads)


def _drop_stray(heads: list[Heading]) -> list[Heading]:
    """Drop isolated numbered lines that do not belong to a sequence (e.g. '1.附件' alone)."""
    return heads


REVIEW_RE = re.compile(
    r"^(?:发展基础|发展回顾|发展现状|现状|主要成就|工作回顾|规划背景|发展环境|基础与形势|面临形势)|回顾|成效与|取得的成[就效]|"
    r"发展成就|工作成效|面临的形势|[“\"]?十[一二三]五[”\"]?(?:时期|期间)?(?:发展|工作)?(?:成就|成效|回顾)"
)


def classify(title: str) -> str | None:
    t = re.sub(r"\s", "", title)
    if REVIEW_RE.search(t):
        return "review"
    if re.search(r"任务|要点|重点工作|主要工作|工作内容", t):
        return "work"
    if GOAL_RE.search(t):
        return "goal"
    if SAFEGUARD_RE.search(t):
        return "safeguard"
    if WORK_RE.search(t):
        return "work"
    return None


def build_sections(text: str) -> list[Section]:
    heads = find_headings(text)
    sections: list[Section] = []
    stack: list[int] = []
    for h in heads:
        while stack and sections[stack[-1]].level >= h.level:
            stack.pop()
        parent = stack[-1] if stack else None
        sec = Section(
            number=h.number,
            level=h.level,
            title=h.title,
            start=h.line_start,
            end=len(text),
            heading_end=h.title_end,
            parent=parent,
        )
        sections.append(sec)
        stack.append(len(sections) - 1)
    # section ends: next heading at the same or a higher level
    for i, s in enumerate(sections):
        for j in range(i + 1, len(sections)):
            if sections[j].level <= s.level:
                s.end = sections[j].start
                break
    # roles: top-level sections by their own title; children inherit, except a child that
    # is itself a goal heading ((二)主要目标 under 一、总体要求)
    for s in sections:
        own = classify(s.title)
        if s.parent is None:
            s.role = own or "work"
        else:
            prole = sections[s.parent].role
            s.role = own if own in ("goal", "review") and _is_pure_heading(text, s) else prole
    return sections


def _is_pure_heading(text: str, s: Section) -> bool:
    return len(s.title) <= 12


def path_of(sections: list[Section], i: int) -> list[str]:
    out = []
    while i is not None:
        out.append(sections[i].number)
        i = sections[i].parent
    return list(reversed(out))
