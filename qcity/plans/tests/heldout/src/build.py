"""Rebuild the non-text held-out documents (.html, .docx, .pdf) from the sources in this folder.

usage: /work/main/.venv/bin/python src/build.py   (run from the heldout/ folder)
"""
import html
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs"


def lines(name):
    return [l.rstrip() for l in (HERE / name).read_text(encoding="utf-8").split("\n")]


def nanyu_html():
    body = lines("nanyu_body.txt")
    paras = "\n".join(
        f'<p style="text-indent:2em;">{html.escape(l)}</p>' if l else "" for l in body[1:])
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>南屿县人民政府办公室关于印发《南屿县质量提升行动实施方案（2024—2026年）》的通知_政策文件_南屿县人民政府门户网站</title>
<meta name="keywords" content="质量提升,实施方案"><link rel="stylesheet" href="/css/main.css">
<script>var _hmt = _hmt || [];</script>
</head><body>
<div class="top-bar"><a href="/">首页</a> | <a href="/wza/">无障碍</a> | <a href="/en/">English</a> | <a href="/ydb/">移动版</a> <span>今天是：2024年3月21日 星期四</span></div>
<div class="nav"><ul><li><a href="/">网站首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/zjny/">走进南屿</a></li></ul></div>
<div class="search"><input type="text" placeholder="请输入关键字"><button>搜索</button></div>
<div class="crumb">您当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zcwj/">政策文件</a> &gt; 县政府办文件</div>
<table class="xxgk-head">
<tr><td>索引号：</td><td>11350923MB1234567X/2024-00061</td><td>发布机构：</td><td>南屿县人民政府办公室</td></tr>
<tr><td>发文字号：</td><td>南政办发〔2024〕9号</td><td>成文日期：</td><td>2024-03-20</td></tr>
</table>
<div class="article">
<h1>{html.escape(body[0])}</h1>
<div class="info">发布时间：2024-03-21 09:15 来源：县政府办 浏览次数：<span id="hits">1286</span> 字体：[<a>大</a> <a>中</a> <a>小</a>]</div>
<div class="TRS_Editor">
{paras}
</div>
<div class="attach">附件：<a href="/u/cms/2024/0321/南屿县质量提升行动实施方案.pdf">南屿县质量提升行动实施方案.pdf</a></div>
</div>
<div class="share">分享到：<a class="wx">微信</a> <a class="wb">微博</a> <a class="qq">QQ空间</a> <a>【打印本页】</a> <a>【关闭窗口】</a></div>
<div class="qrcode"><img src="/images/qr.png" alt=""><p>扫一扫在手机打开当前页</p></div>
<div class="related"><h3>相关链接</h3><ul>
<li><a href="/zwgk/1.htm">南屿县2023年质量工作总结</a> 2024-01-12</li>
<li><a href="/zwgk/2.htm">关于开展2024年县长质量奖评审工作的通知</a> 2024-02-27</li>
<li><a href="/zwgk/3.htm">南屿县“十四五”市场监管规划解读</a> 2023-11-05</li></ul></div>
<div class="footer"><p>主办：南屿县人民政府办公室　承办：南屿县融媒体中心</p>
<p>地址：南屿县滨海大道88号　邮编：363900　联系电话：0596-5123000</p>
<p>网站标识码：3506230001　<a href="https://beian.miit.gov.cn/">闽ICP备05012345号-1</a>　闽公网安备 35062302000123号</p>
<p>建议使用1920×1080分辨率浏览本网站</p></div>
</body></html>
"""
    (DOCS / "nanyu_shishi_fangan.html").write_text(page, encoding="utf-8")


def yunhe_html():
    body = lines("yunhe_body.txt")
    text = "<br>\n".join("&nbsp;&nbsp;&nbsp;&nbsp;" + html.escape(l) if l else "" for l in body[1:])
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>云禾县市场监督管理局关于开展2024年“质量月”活动的通知 - 通知公告 - 云禾县市场监督管理局</title></head>
<body>
<table width="1000" align="center"><tr><td class="logo"><img src="/img/logo.png" alt="云禾县市场监督管理局"></td>
<td class="toplinks"><a href="#">设为首页</a> | <a href="#">加入收藏</a> | <a href="#">联系我们</a></td></tr></table>
<table width="1000" align="center" class="menu"><tr>
<td><a href="/">首 页</a></td><td><a href="/jgjj/">机构简介</a></td><td><a href="/tzgg/">通知公告</a></td><td><a href="/zlgz/">质量工作</a></td><td><a href="/bzjl/">标准计量</a></td><td><a href="/tsjb/">投诉举报</a></td></tr></table>
<table width="1000" align="center"><tr><td width="240" valign="top" class="left">
<div class="lm">栏目导航</div><ul><li><a href="/tzgg/">通知公告</a></li><li><a href="/gzdt/">工作动态</a></li><li><a href="/zcfg/">政策法规</a></li></ul>
<div class="lm">热点信息</div><ul><li><a href="#">2024年一季度产品质量监督抽查结果公示</a></li><li><a href="#">关于开展电动自行车质量安全专项整治的通告</a></li></ul>
</td><td valign="top">
<div class="weizhi">您现在的位置：<a href="/">首页</a> &gt;&gt; <a href="/tzgg/">通知公告</a> &gt;&gt; 正文</div>
<div class="title"><b>{html.escape(body[0])}</b></div>
<div class="sub">作者：县市场监管局　来源：质量发展股　发布时间：2024-08-27　点击数：<script>document.write(512)</script>512</div>
<div class="content">
{text}
</div>
<div class="bshare">分享到：<a>微信</a> <a>新浪微博</a> <a>QQ</a> <a>复制链接</a></div>
<div class="ewm">手机扫一扫，随时看资讯</div>
<div class="prevnext">上一篇：<a href="#">县市场监管局召开2024年上半年工作总结会</a><br>下一篇：<a href="#">关于公布第二批县级标准化试点项目名单的通知</a></div>
</td></tr></table>
<div class="foot">版权所有：云禾县市场监督管理局　技术支持：云禾县信息中心<br>
ICP备案编号：滇ICP备12003456号　公安备案号：53252902000045<br>
地址：云禾县文昌路16号　值班电话：0875-3120000</div>
</body></html>
"""
    (DOCS / "yunhe_zhiliangyue_tongzhi.html").write_text(page, encoding="utf-8")


def lanxi_docx():
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    d = docx.Document()
    sec = d.sections[0]
    sec.header.paragraphs[0].text = "澜溪区人民政府办公室"
    sec.footer.paragraphs[0].text = "— 1 —"
    for l in lines("lanxi_body.txt"):
        if not l:
            continue
        p = d.add_paragraph(l)
        if l.startswith(("澜溪区质量强区建设实施方案", "澜溪区人民政府办公室文件", "澜溪区质量强区建设任务分工表")):
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rows = [r.split("\t") for r in lines("lanxi_table.tsv") if r]
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    for i, r in enumerate(rows):
        for j, c in enumerate(r):
            t.cell(i, j).text = c
    d.add_paragraph("抄送：区委办公室，区人大常委会办公室，区政协办公室。")
    d.add_paragraph("澜溪区人民政府办公室　　　　2024年6月12日印发")
    d.save(str(DOCS / "lanxi_fengong.docx"))


def fengning_pdf():
    import re
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=13, leading=24, wordWrap="CJK", firstLineIndent=26)
    head = ParagraphStyle("h", parent=body, firstLineIndent=0, fontSize=14)
    title = ParagraphStyle("t", parent=body, firstLineIndent=0, fontSize=18, leading=30, alignment=1)

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("STSong-Light", 9)
        canvas.drawString(20 * mm, A4[1] - 14 * mm, "丰宁市人民政府办公室文件")
        canvas.drawRightString(A4[0] - 20 * mm, A4[1] - 14 * mm, "丰政办〔2024〕22号")
        canvas.line(20 * mm, A4[1] - 16 * mm, A4[0] - 20 * mm, A4[1] - 16 * mm)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")
        canvas.restoreState()

    story = []
    for i, l in enumerate(lines("fengning.txt")):
        if not l:
            continue
        s = html.escape(l, quote=False)
        if i == 0:
            story += [Paragraph(s, title), Spacer(1, 10)]
        elif re.match(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）\S{2,10}$|\d\.\S+行动$|专栏)", l):
            story.append(Paragraph(s, head))
        else:
            story.append(Paragraph(s, body))
    doc = SimpleDocTemplate(str(DOCS / "fengning_sannian_xingdong.pdf"), pagesize=A4,
                            topMargin=25 * mm, bottomMargin=22 * mm, leftMargin=22 * mm, rightMargin=22 * mm,
                            title="丰宁市质量强市建设三年行动方案（2024—2026年）")
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


if __name__ == "__main__":
    nanyu_html()
    yunhe_html()
    lanxi_docx()
    fengning_pdf()
    print("built")
