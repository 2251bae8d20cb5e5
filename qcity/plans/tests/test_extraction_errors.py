"""Refused and broken input gives a clear Chinese message; the CLI carries on."""

from __future__ import annotations

import io
import zipfile

import pytest

from qcity.plans.extraction import ExtractionError, extract_file, readers
from qcity.plans.extraction.cli import main

from .conftest import DATA


@pytest.mark.parametrize("ext", [".doc", ".wps", ".ofd"])
def test_refused_formats(tmp_path, ext):
    f = tmp_path / f"plan{ext}"
    f.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ExtractionError) as e:
        extract_file(f)
    msg = e.value.message
    assert "不支持" in msg
    for fmt in (".txt", ".docx", ".pdf", ".html", ".xlsx"):
        assert fmt in msg


def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    with pytest.raises(ExtractionError, match="为空"):
        extract_file(f)


def test_binary_garbage_txt(tmp_path):
    f = tmp_path / "garbage.txt"
    f.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ExtractionError, match="二进制"):
        extract_file(f)


def test_docx_that_is_another_zip(tmp_path):
    f = tmp_path / "fake.docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    f.write_bytes(buf.getvalue())
    with pytest.raises(ExtractionError, match="不是Word文档"):
        extract_file(f)


def test_docx_not_a_zip(tmp_path):
    f = tmp_path / "fake2.docx"
    f.write_text("这不是Word文档", encoding="utf-8")
    with pytest.raises(ExtractionError, match="Word文档"):
        extract_file(f)


def test_image_only_pdf(tmp_path):
    from reportlab.pdfgen import canvas

    f = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(f))
    c.rect(100, 100, 300, 400, fill=1)  # a page with drawing only, no text layer
    c.showPage()
    c.save()
    with pytest.raises(ExtractionError, match="没有文本层.*不支持OCR"):
        extract_file(f)


def test_encrypted_pdf(tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    f = tmp_path / "locked.pdf"
    enc = pdfencrypt.StandardEncryption("user-secret", ownerPassword="owner-secret", strength=128)
    c = canvas.Canvas(str(f), encrypt=enc)
    c.drawString(100, 700, "secret plan")
    c.showPage()
    c.save()
    with pytest.raises(ExtractionError, match="加密"):
        extract_file(f)


def test_size_limit_checked_before_reading(tmp_path, monkeypatch):
    f = tmp_path / "big.txt"
    f.write_text("一、重点任务\n" * 200, encoding="utf-8")
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 100)

    def boom(*a, **k):  # reading must not happen
        raise AssertionError("file was read before the size check")

    monkeypatch.setattr(readers, "read_txt_bytes", boom)
    with pytest.raises(ExtractionError, match="过大"):
        extract_file(f)


def test_cli_carries_on_and_fails(tmp_path, capsys):
    bad = tmp_path / "bad.doc"
    bad.write_bytes(b"x")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "out"
    rc = main(["extract", "--out", str(out), str(bad), str(DATA / "plan_b.txt"), str(empty)])
    err = capsys.readouterr().err
    assert rc != 0
    assert "不支持" in err and "为空" in err
    assert (out / "plan_b.json").exists()
    assert main(["extract", "--out", str(out), str(DATA / "plan_a.txt")]) == 0


def test_module_entry_point(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "qcity.plans.extraction.cli",
            "extract",
            "--out",
            str(tmp_path),
            str(DATA / "plan_b.txt"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "plan_b.json").exists()
