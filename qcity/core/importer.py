"""The generic importer: a downloadable template per registered model, .xlsx/.xls/.csv
(UTF-8 or GBK), row-by-row validation with a downloadable error report (row, column, reason),
two modes — all-or-nothing, or valid rows only (each row written whole or not at all) —
re-runnable without duplicates (rows are matched on the registration's natural key), run as a
job with progress. One change-log entry per import, plus before/after for updated rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit, jobs, uploads
from .choices import ChangeAction, ImportMode
from .documents import xlsx_bytes
from .generic import form_for
from .registry import REGISTRY

READABLE = (".xlsx", ".xls", ".csv")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def registration_by_key(key: str):
    for registration in REGISTRY.values():
        if f"{registration.app_label}.{registration.model_name}" == key:
            return registration
    raise LookupError(key)


def template(registration) -> bytes:
    headers = [c.header + ("*" if c.required else "") for c in registration.import_columns]
    notes = [
        [c.header, _("必填") if c.required else _("选填"), c.help]
        for c in registration.import_columns
    ]
    return xlsx_bytes(
        [
            (str(registration.verbose_name), headers, []),
            (_("填写说明"), [_("列名"), _("是否必填"), _("说明")], notes),
        ]
    )


def check_upload(uploaded):
    """The one upload path (uploads.validate): size before reading, type by content, zip
    directory of an .xlsx before openpyxl opens it."""
    try:
        uploads.validate(uploaded, uploads.TABLES)
    except ValidationError as exc:
        raise ImportFileError(exc.messages[0]) from None


def _decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV"))


def read_table(name: str, raw: bytes) -> list[list[str]]:
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".csv":
            return [row for row in csv.reader(io.StringIO(_decode_csv(raw)))]
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            ws = wb.worksheets[0]
            return [
                ["" if v is None else _cell_text(v) for v in row]
                for row in ws.iter_rows(values_only=True)
            ]
        if suffix == ".xls":
            import xlrd

            book = xlrd.open_workbook(file_contents=raw)
            sheet = book.sheet_by_index(0)
            return [
                [_cell_text(sheet.cell_value(r, c)) for c in range(sheet.ncols)]
                for r in range(sheet.nrows)
            ]
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(
            _("文件已损坏或不是有效的 {kind} 文件").format(kind=suffix.lstrip(".").upper())
        )
    raise ImportFileError(_("不支持的文件格式，请上传 .xlsx、.xls 或 .csv 文件"))


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _rows(registration, table):
    if not table:
        raise ImportFileError(_("文件为空"))
    header = [str(h).strip().rstrip("*").strip() for h in table[0]]
    known = {str(c.header) for c in registration.import_columns}
    missing = [
        str(c.header) for c in registration.import_columns if c.required and c.header not in header
    ]
    if missing:
        raise ImportFileError(
            _("缺少必填列：{columns}（请使用下载的模板）").format(columns="、".join(missing))
        )
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise ImportFileError(
            _("无法识别的列：{columns}（请使用下载的模板）").format(columns="、".join(unknown))
        )
    for number, values in enumerate(table[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        yield (
            number,
            {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h},
        )


def _parse_row(registration, row, user):
    """(data for the service, [(column, reason)])"""
    errors, form_data = [], {}
    for column in registration.import_columns:
        raw = row.get(str(column.header), "")
        if column.required and not raw:
            errors.append((str(column.header), _("必填项为空")))
            continue
        if not raw:
            continue
        if column.lookup:
            related = registration.model._meta.get_field(column.field).related_model
            target = related._default_manager.filter(**{column.lookup: raw})
            if hasattr(target, "for_user"):
                target = target.for_user(user)
            found = target.first()
            if found is None:
                errors.append((str(column.header), _("未找到“{value}”").format(value=raw)))
                continue
            form_data[column.field] = found.pk
        else:
            form_data[column.field] = raw
    if errors:
        return None, errors
    form = form_for(registration)(data=form_data, user=user)
    fields_in_file = {c.field for c in registration.import_columns}
    for name in list(form.fields):
        if name not in fields_in_file:
            form.fields.pop(name)
    if not form.is_valid():
        header_of = {c.field: str(c.header) for c in registration.import_columns}
        for field, messages in form.errors.items():
            errors.extend((header_of.get(field, field), str(m)) for m in messages)
        return None, errors
    return {k: v for k, v in form.cleaned_data.items() if k in fields_in_file}, []


class AmbiguousKey(ValidationError):
    pass


def natural_key(registration, data) -> dict | None:
    """The row's natural key (Registration.import_key), or None when any part is missing —
    a row without its key is new, never matched to a guess (an empty nullable code such as an
    individual business's missing 统一社会信用代码 is "no code", not a value to match)."""
    if not registration.import_key:
        return None
    key = {}
    for name in registration.import_key:
        value = data.get(name)
        if value is None:
            return None
        if value == "" and registration.model._meta.get_field(name).null:
            return None
        key[name] = value
    return key


def _write_row(registration, data, user, counts):
    key = natural_key(registration, data)
    existing = None
    if key:
        matches = list(registration.model._default_manager.filter(**key)[:2])
        if len(matches) > 1:
            count = registration.model._default_manager.filter(**key).count()
            raise AmbiguousKey(
                _("按{key}可匹配到 {n} 条已有记录，无法确定更新哪一条，本行未导入").format(
                    key="、".join(
                        str(registration.model._meta.get_field(k).verbose_name) for k in key
                    ),
                    n=count,
                )
            )
        existing = matches[0] if matches else None
    if existing is None:
        registration.create(data, user)
        counts["created"] += 1
        return
    if (
        not registration.model._default_manager.filter(pk=existing.pk)
        .for_user(user, "change")
        .exists()
    ):
        raise PermissionDenied(_("已存在的记录不在您的修改权限范围内"))
    before = audit.snapshot(existing)
    for k, v in data.items():
        setattr(existing, k, v)
    if audit.snapshot(existing) == before:
        counts["unchanged"] += 1
        return
    existing.refresh_from_db()
    registration.update(existing, data, user)
    counts["updated"] += 1


def _messages(exc) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                f"{field}: {m}" if field != "__all__" else str(m)
                for field, ms in exc.message_dict.items()
                for m in ms
            ]
        return [str(m) for m in exc.messages]
    return [str(exc)]


def start(registration, uploaded, mode: str, user):
    from .models import ImportRun

    check_upload(uploaded)
    raw = uploaded.read()
    # refuse an unreadable file or a wrong header before anything is queued
    next(iter(_rows(registration, read_table(uploaded.name, raw))), None)
    uploaded.seek(0)
    with transaction.atomic():
        run = ImportRun.objects.create(
            importer=f"{registration.app_label}.{registration.model_name}",
            file=uploaded,
            file_name=uploaded.name,
            sha256=hashlib.sha256(raw).hexdigest(),
            mode=mode,
            created_by=user,
        )
        run.job = jobs.enqueue("core.import", user=user, run_id=run.pk)
        run.save(update_fields=["job"])
    return run


@jobs.handler("core.import")
def run_import(job, run_id):
    from .models import ImportRun

    run = ImportRun.objects.get(pk=run_id)
    registration = registration_by_key(run.importer)
    user = run.created_by
    with run.file.open("rb") as fh:
        raw = fh.read()
    if run.file_name.lower().endswith(".xlsx"):
        uploads.check_zip_bytes(raw, run.file_name)  # also for a file kept from before
    table = read_table(run.file_name, raw)
    rows = list(_rows(registration, table))
    jobs.progress(job, 0, len(rows))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    errors = []

    class Rollback(Exception):
        pass

    def process(number, row):
        """Parse and write one row whole (a savepoint), so later rows may refer to earlier ones."""
        data, row_errors = _parse_row(registration, row, user)
        if row_errors:
            errors.extend({"row": number, "column": c, "reason": r} for c, r in row_errors)
            return
        try:
            with transaction.atomic():
                _write_row(registration, data, user, counts)
        except (ValidationError, PermissionDenied) as exc:
            errors.extend({"row": number, "column": "", "reason": m} for m in _messages(exc))

    with audit.bulk_import():
        try:
            with transaction.atomic():
                for index, (number, row) in enumerate(rows, start=1):
                    process(number, row)
                    if index % 50 == 0:
                        jobs.progress(job, index)
                if errors and run.mode == ImportMode.ALL_OR_NOTHING:
                    raise Rollback
        except Rollback:
            counts = {"created": 0, "updated": 0, "unchanged": 0}
    failed_rows = len({e["row"] for e in errors})
    run.rows_total = len(rows)
    run.rows_created, run.rows_updated, run.rows_unchanged = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    run.rows_failed = failed_rows if run.mode == ImportMode.VALID_ONLY or not errors else len(rows)
    run.errors = uploads.cap_errors(errors)  # an error record stays small whatever the file
    run.committed = bool(counts["created"] or counts["updated"])
    run.save()
    audit.record(
        run,
        ChangeAction.IMPORT,
        after={"created": run.rows_created, "updated": run.rows_updated, "failed": run.rows_failed},
        note=_("导入 {name}：新增 {c} 行，更新 {u} 行，出错 {f} 行").format(
            name=run.file_name, c=run.rows_created, u=run.rows_updated, f=run.rows_failed
        ),
        actor=user,
    )
    jobs.progress(job, len(rows), len(rows))
    return {"created": run.rows_created, "updated": run.rows_updated, "failed": run.rows_failed}


def error_report(run) -> bytes:
    return xlsx_bytes(
        [
            (
                _("错误明细"),
                [_("行号"), _("列"), _("原因")],
                [[e["row"], e["column"], e["reason"]] for e in run.errors],
            )
        ]
    )
