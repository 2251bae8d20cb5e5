"""The one upload path: every upload field and import calls :func:`validate` before it keeps,
reads or parses a file (issue 10, "Uploads").

Rules (OWASP File Upload and "Zip bomb" guidance; limits from settings, never literals):

- size: ``QCITY_MAX_UPLOAD_MB``, checked from the declared size before a byte is read. For
  chunked or streamed bodies (no trustworthy Content-Length) :class:`LimitedUploadHandler`
  counts the bytes as they arrive and stops keeping a file once it passes the limit; the
  view then sees a :class:`RefusedUpload` whose size is over the limit and refuses it.
- type: recognised from the content (magic bytes, the zip's own structure for .xlsx/.docx),
  never from the browser's content type; the file's extension must agree with its content
  (an .html page renamed .pdf is refused).
- office files (.xlsx/.docx/.zip): the zip directory is checked before openpyxl/python-docx
  open it — entry count ``QCITY_UPLOAD_ZIP_MAX_ENTRIES``, total uncompressed size
  ``QCITY_UPLOAD_ZIP_MAX_UNCOMPRESSED_MB``, per-entry compression ratio
  ``QCITY_UPLOAD_ZIP_MAX_RATIO``. Python's zipfile never inflates an entry past its declared
  size, so checking the declared sizes bounds what a reader can unpack.
- refusals raise :class:`UploadError` (a Django ValidationError) with a Chinese message naming
  the file and the limit, before anything is stored or queued.

Files are also recognised by their SHA-256 (the same plan or result file uploaded twice).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _

# kind -> (extensions it may carry, label in messages)
KINDS = {
    "pdf": ((".pdf",), "pdf"),
    "png": ((".png",), "png"),
    "jpg": ((".jpg", ".jpeg"), "jpg"),
    "xlsx": ((".xlsx",), "xlsx"),
    "docx": ((".docx",), "docx"),
    "zip": ((".zip",), "zip"),
    "xls": ((".xls",), "xls"),
    "csv": ((".csv",), "csv"),
    "txt": ((".txt",), "txt"),
    "html": ((".html", ".htm"), "html"),
}
EVIDENCE = ("pdf", "docx", "xlsx", "jpg", "png", "zip")
TABLES = ("xlsx", "xls", "csv")
ZIP_KINDS = ("xlsx", "docx", "zip")


class UploadError(ValidationError):
    """A refused upload; the message is for the user."""


def limit_mb() -> int:
    return int(settings.QCITY_MAX_UPLOAD_MB)


def limit_bytes() -> int:
    return limit_mb() * 1024 * 1024


def too_large(uploaded) -> bool:
    size = getattr(uploaded, "size", None)
    return size is not None and size > limit_bytes()


def sha256_of(uploaded) -> str:
    """Hash an uploaded file chunk by chunk and rewind it for the next reader."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def accepted_text(kinds) -> str:
    return "、".join(KINDS[k][1] for k in kinds)


# ---------------------------------------------------------------- streamed bodies
class RefusedUpload(UploadedFile):
    """What a view receives for a file that passed the limit while it was arriving: empty,
    with the byte count seen so far as its size, so :func:`validate` refuses it by size."""

    def __init__(self, name, size, content_type=None, charset=None):
        super().__init__(io.BytesIO(b""), name, content_type, size, charset)

    def open(self, mode=None):
        self.file.seek(0)
        return self


class LimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts each file's bytes as they arrive (whatever the
    Content-Length says); past the limit the rest is discarded, not passed to the handlers
    that keep it in memory or on disk."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        self.over = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > limit_bytes():
            self.over = True
        return None if self.over else raw_data

    def file_complete(self, file_size):
        if self.over:
            return RefusedUpload(self.file_name, self.received, self.content_type, self.charset)
        return None


# ---------------------------------------------------------------- content
def _head(uploaded, n=8192) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(n)
    uploaded.seek(0)
    return head


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return True
    return False


def _looks_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()[:512]
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or (
        start.startswith(b"<") and (b"<html" in start or b"<script" in start)
    )


def check_zip(fileobj, name: str = "") -> zipfile.ZipFile:
    """Refuse a zip (xlsx/docx) that would unpack too much, from its directory alone."""
    name = name or _("文件")
    try:
        archive = zipfile.ZipFile(fileobj)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadError(_("文件已损坏或不是有效的压缩文件：“{name}”").format(name=name)) from None
    max_entries = int(settings.QCITY_UPLOAD_ZIP_MAX_ENTRIES)
    max_total = int(settings.QCITY_UPLOAD_ZIP_MAX_UNCOMPRESSED_MB)
    max_ratio = int(settings.QCITY_UPLOAD_ZIP_MAX_RATIO)
    if len(entries) > max_entries:
        raise UploadError(
            _("文件“{name}”内含 {n} 个条目，超过上限 {limit} 个，拒绝处理").format(
                name=name, n=len(entries), limit=max_entries
            )
        )
    total = sum(e.file_size for e in entries)
    if total > max_total * 1024 * 1024:
        raise UploadError(
            _("文件“{name}”解压后超过上限 {limit} MB，拒绝处理").format(name=name, limit=max_total)
        )
    for e in entries:
        if e.file_size > max(e.compress_size, 1) * max_ratio and e.file_size > 1024 * 1024:
            raise UploadError(
                _("文件“{name}”的压缩比超过上限 {limit} 倍，疑似压缩炸弹，拒绝处理").format(
                    name=name, limit=max_ratio
                )
            )
    return archive


def check_zip_bytes(data: bytes, name: str = "") -> None:
    """The same check for a file already in memory (e.g. kept between preview and commit)."""
    check_zip(io.BytesIO(data), name)


def sniff(uploaded) -> str | None:
    """The kind of file the content says it is (None when unknown)."""
    head = _head(uploaded)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        uploaded.seek(0)
        try:
            names = set(zipfile.ZipFile(uploaded).namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return None
        finally:
            uploaded.seek(0)
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        return "zip"
    if _is_text(head):
        return "html" if _looks_html(head) else "text"
    return None


def validate(uploaded, kinds=EVIDENCE, field: str | None = None) -> str:
    """Refuse a file by size, by content type and (office files) by its zip directory; return
    the kind. ``field`` puts the message on a form field."""

    def refuse(message):
        raise UploadError({field: message} if field else message)

    name = Path(getattr(uploaded, "name", "") or "").name
    if uploaded is None or not name:
        refuse(_("请选择要上传的文件"))
    if too_large(uploaded):
        refuse(
            _("文件“{name}”大小超过上限 {limit} MB，请压缩或拆分后再上传").format(
                name=name, limit=limit_mb()
            )
        )
    if not uploaded.size:
        refuse(_("文件“{name}”是空文件").format(name=name))
    suffix = Path(name).suffix.lower()
    wrong_type = _("文件“{name}”的格式不支持，请上传 {kinds} 文件").format(
        name=name, kinds=accepted_text(kinds)
    )
    claimed = [k for k in kinds if suffix in KINDS[k][0]]
    if not claimed:
        refuse(wrong_type)
    found = sniff(uploaded)
    kind = found
    if found == "text":  # plain text is whatever text kind the name says (csv, txt)
        kind = next((k for k in claimed if k in ("csv", "txt")), None)
    if kind not in claimed:
        if found is None and any(k in ("csv", "txt") for k in claimed):
            refuse(
                _("无法识别文件“{name}”的内容或编码，请另存为 UTF-8 或 GBK 编码的文本").format(
                    name=name
                )
            )
        refuse(
            _(
                "文件已损坏或不是有效的 {kind} 文件（按内容识别）：“{name}”，请上传 {kinds} 文件"
            ).format(name=name, kind=suffix.lstrip(".").upper(), kinds=accepted_text(kinds))
        )
    if kind in ZIP_KINDS:
        try:
            check_zip(uploaded, name)
        except UploadError as exc:
            refuse(exc.messages[0])
        finally:
            uploaded.seek(0)
    uploaded.seek(0)
    return kind


def read_limited(uploaded, kinds) -> bytes:
    """Validate, then read the whole (bounded) file."""
    validate(uploaded, kinds)
    data = uploaded.read()
    uploaded.seek(0)
    return data


def short(text, limit: int | None = None) -> str:
    """An error text cut to the length an error record may keep."""
    limit = limit or int(settings.QCITY_IMPORT_ERROR_TEXT_MAX)
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cap_errors(errors: list, total_label=None) -> list:
    """At most ``QCITY_IMPORT_MAX_ERRORS`` error rows, each short, plus a line saying how many
    more there were — so an error record stays small whatever the file."""
    limit = int(settings.QCITY_IMPORT_MAX_ERRORS)
    kept = [
        {**e, **{k: short(v) for k, v in e.items() if isinstance(v, str)}} for e in errors[:limit]
    ]
    if len(errors) > limit:
        kept.append(
            {
                "row": 0,
                "column": "",
                "reason": _("另有 {n} 条错误未列出（最多列出 {limit} 条）").format(
                    n=len(errors) - limit, limit=limit
                ),
            }
        )
    return kept
