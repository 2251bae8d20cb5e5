"""Build test documents (.docx, .pdf, .html, .xlsx) from plain plan text."""

from __future__ import annotations

import re
from pathlib import Path

HEADER = "示例市人民政府规范性文件"


def write_docx(text: str, path: Path, page_furniture: bool = True) -> Path:
    import docx

    d = docx.Document()
    sec = d.sections[0]
    sec.header.paragraphs[0].text = HEADER  # a real running header, kept out of the body
    sec.footer.paragraphs[0].text = "第 1 页"
    for i, line in enumerate(text.split("\n")):
        d.add_paragraph(line)
        if page_furniture and i and i % 25 == 0:  # page-number-like paragraphs in the body
            d.add_paragraph(f"— {i // 25} —")
    d.save(str(path))
    return path


def write_pdf(text: str, path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    try:
        pdfmetrics.getFont("STSong-Light")
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle(
        "body", fontName="STSong-Light", fontSize=12, leading=20, wordWrap="CJK", firstLineIndent=24
    )
    head = ParagraphStyle("head", parent=body, firstLineIndent=0)

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("STSong-Light", 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 15 * mm, HEADER)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")
        canvas.restoreState()

    story = []
    for line in text.split("\n"):
        s = line.strip()
        if not s:
            story.append(Spacer(1, 6))
            continue
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        style = (
            head
            if re.match(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])", s)
            and len(s) < 30
            else body
        )
        story.append(Paragraph(s, style))
    doc = SimpleDocTemplate(str(path), pagesize=A4, topMargin=25 * mm, bottomMargin=25 * mm)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return path


def write_html(text: str, path: Path, encoding: str = "utf-8") -> Path:
    paras = "\n".join(f"<p>{line.strip()}</p>" for line in text.split("\n") if line.strip())
    links = "".join(
        f'<li><a href="/n/{i}.html">示例市召开第{i}次质量工作推进会</a></li>' for i in range(1, 9)
    )
    html = f"""<!DOCTYPE html>
<html><head><meta charset="{encoding}"><title>示例市质量行动方案_示例市人民政府门户网站</title>
<script>var _hm = 1; document.write("统计代码");</script><style>.x{{color:red}}</style></head>
<body>
<div class="top-bar"><a href="/">首页</a> | <a href="/gk">政务公开</a> | <a href="/bs">办事服务</a> | <a href="/hd">互动交流</a></div>
<div class="nav"><ul><li><a href="/">网站首页</a></li><li><a href="/zx">新闻中心</a></li><li><a href="/zc">政策文件</a></li></ul></div>
<div class="main">
 <div class="crumb">您当前的位置：<a href="/">首页</a> &gt; <a href="/zc">政策文件</a> &gt; 正文</div>
 <div class="article">
  <div class="info">发布时间：2024-03-10 09:30　来源：示例市人民政府办公室　浏览次数：1024　【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
  <div class="content">
{paras}
  </div>
  <div class="share">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>
  <div class="qr">扫一扫在手机打开当前页</div>
  <div class="print"><a>打印本页</a> <a>关闭窗口</a></div>
 </div>
 <div class="related"><h3>相关链接</h3><ul>{links}</ul></div>
 <div class="comment"><h3>网友评论</h3><textarea></textarea><p>请文明上网，理性发言</p></div>
</div>
<div class="footer"><p>主办单位：示例市人民政府办公室　承办单位：示例市大数据中心</p>
<p>网站标识码：1234567890　示ICP备12345678号-1　示公网安备 12345678901234号</p>
<p>联系电话：0123-87654321</p></div>
</body></html>"""
    path.write_bytes(html.encode(encoding))
    return path


def split_tasks(text: str):
    """Split a plan of '（一）Title。body（牵头单位：X；配合单位：Y）' items into table rows."""
    rows = []
    for line in text.split("\n"):
        m = re.match(r"^\s*[(（]([一二三四五六七八九十]+)[)）](.+?)。(.*)$", line)
        if not m:
            continue
        body = m.group(3)
        um = re.search(r"[(（]牵头单位[:：](.+?)[；;，,]\s*配合单位[:：](.+?)[)）]\s*$", body)
        lead, co = (um.group(1), um.group(2)) if um else ("", "")
        if not um:
            continue
        body = body[: um.start()]
        rows.append([m.group(1), m.group(2), body, lead, co, "2025年12月底前"])
    return rows


def write_task_table_docx(title: str, intro: str, rows: list[list[str]], path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph(title)
    d.add_paragraph(intro)
    d.add_paragraph("附件")
    d.add_paragraph("重点任务分工表")
    t = d.add_table(rows=1, cols=6)
    for c, h in zip(
        t.rows[0].cells,
        ["序号", "重点任务", "任务内容", "牵头单位", "配合单位", "完成时限"],
        strict=True,
    ):
        c.text = h
    for r in rows:
        cells = t.add_row().cells
        for c, v in zip(cells, r, strict=True):
            c.text = v
    d.save(str(path))
    return path


def write_task_table_xlsx(title: str, rows: list[list[str]], path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务分工"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    ws.append(["序号", "重点任务", "任务内容", "牵头单位", "配合单位", "完成时限"])
    for r in rows:
        ws.append(r)
    wb.save(str(path))
    return path
