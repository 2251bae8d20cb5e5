"""Document output: .docx in the 公文 layout and .xlsx with a styled header.

Implements the elements of GB/T 9704-2012 《党政机关公文格式》 that notices and reports need:
A4 paper with its margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), a 仿宋-class
16 pt body (the first installed of ``settings.QCITY_DOC_BODY_FONTS``; the others are
recorded as fall-backs), a 小标宋-class 22 pt title, the 附件 label at the top left in a
黑体-class font, page numbers written "— 1 —" at the foot, and table header rows repeated on
every page. Later modules render their notices (督办通知单, 检验结果通知书 …) through this.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

DEFAULT_FONTS = {
    "body": ["仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC"],
    "title": ["方正小标宋简体", "华文中宋", "SimSun", "Noto Serif CJK SC"],
    "heading": ["黑体", "SimHei", "Noto Sans CJK SC"],
}


def fonts(role: str) -> list[str]:
    return getattr(settings, "QCITY_DOC_FONTS", {}).get(role, DEFAULT_FONTS[role])


def _set_font(run, role: str, size: float, bold: bool = False):
    family = fonts(role)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = family[0]
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), family[0])


def _field(paragraph, instruction: str):
    run = paragraph.add_run()
    begin, text, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)
    return run


class OfficialDocument:
    def __init__(
        self,
        title: str,
        *,
        landscape: bool = False,
        attachment_label: str = "",
        doc_number: str = "",
    ):
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        style = self.doc.styles["Normal"]
        style.font.size = Pt(16)
        style.font.name = fonts("body")[0]
        style.element.rPr.rFonts.set(qn("w:eastAsia"), fonts("body")[0])
        self._footer_page_numbers(section)
        if attachment_label:
            p = self.doc.add_paragraph()
            _set_font(p.add_run(attachment_label), "heading", 16)
        if doc_number:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_font(p.add_run(doc_number), "body", 16)
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run(title), "title", 22)
        self.title = title

    def _footer_page_numbers(self, section):
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run("— "), "body", 14)
        _set_font(_field(p, "PAGE"), "body", 14)
        _set_font(p.add_run(" —"), "body", 14)

    def heading(self, text: str):
        p = self.doc.add_paragraph()
        _set_font(p.add_run(text), "heading", 16)
        return p

    def paragraph(self, text: str, indent: bool = True):
        p = self.doc.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(32)
        _set_font(p.add_run(text), "body", 16)
        return p

    def table(self, headers: list[str], rows: list[list], font_size: float = 12):
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header_row = table.rows[0]
        tr_pr = header_row._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for cell, text in zip(header_row.cells, headers, strict=True):
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run(str(text)), "heading", font_size)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=False):
                cell.text = ""
                _set_font(
                    cell.paragraphs[0].add_run("" if value is None else str(value)),
                    "body",
                    font_size,
                )
        return table

    def signature(self, issuer: str, date_text: str):
        for text in (issuer, date_text):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _set_font(p.add_run(text), "body", 16)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
THIN = Side(style="thin", color="BBBBBB")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except (ArithmeticError, ValueError):
        return False
    return text.strip() == text and text.lower().lstrip("+-") not in ("nan", "inf", "infinity")


def inert(value):
    """A cell a spreadsheet will not run (OWASP "CSV Injection"): text starting with = + - @
    tab or CR gets a leading apostrophe; real numbers (also "-12.5" as text) stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def cell_value(value):
    """A value openpyxl or csv can write: booleans in words, lazy strings and objects as text,
    formula-looking text made inert. Every .xlsx and .csv writer passes its cells through here."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, (int, float, Decimal, datetime.date, datetime.datetime)):
        return value.replace(tzinfo=None) if isinstance(value, datetime.datetime) else value
    return inert(str(value))


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """Workbook with one sheet per (title, headers, rows): bold white header on blue, frozen, filtered."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=title[:31] or "Sheet")
        ws.append([cell_value(h) for h in headers])
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
        widths = [max(6, len(str(h)) * 2 + 2) for h in headers]
        for row in rows:
            ws.append([cell_value(v) for v in row])
            for i, v in enumerate(row[: len(widths)]):
                widths[i] = min(
                    60,
                    max(
                        widths[i],
                        len(str(v or "")) * 2
                        if any("\u4e00" <= ch <= "\u9fff" for ch in str(v or ""))
                        else len(str(v or "")) + 2,
                    ),
                )
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        if headers:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"
        ws.print_title_rows = "1:1"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
