"""Bulk result import for very large files (a million rows): a staging table, set-based
validation in SQL, judgement once per distinct (result, limit) pair, then set-based inserts of
samples, test items and rollup counts. All or nothing, like the row-by-row importer.

Input: a CSV (UTF-8 or GBK) or an .xlsx whose first row holds the columns of ``COLUMNS`` or
their Chinese names (``HEADERS``); one test item per row, a sample with several items repeats
its 抽样编号. Used by ``bench/supervision`` and by the office's large-file import page
(``services.start_bulk_import``, run as a job); the row-by-row importer
``services.import_results`` reads the published-table layout.
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid

from django.db import connection, transaction
from django.utils import timezone

from . import values
from .choices import Conclusion

COLUMNS = [
    "sample_no",
    "producer_code",
    "product_name",
    "category_code",
    "region_code",
    "channel",
    "sampled_on",
    "item",
    "result",
    "limit",
]
# the Chinese column names of the template (the web page offers it for download)
HEADERS = [
    "抽样编号",
    "生产企业统一社会信用代码",
    "样品名称",
    "类别代码",
    "区划代码",
    "抽样环节",
    "抽样日期",
    "检验项目",
    "检验结果",
    "标准值",
]
COLUMN_OF = dict(zip(COLUMNS, HEADERS, strict=True))
VERDICT = {values.PASS: Conclusion.PASS, values.FAIL: Conclusion.FAIL}
CHANNELS = {
    "生产环节": "production",
    "生产": "production",
    "流通环节": "circulation",
    "流通": "circulation",
    "餐饮环节": "catering",
    "餐饮": "catering",
    "网络销售": "online",
    "网络": "online",
}


class BulkFileError(ValueError):
    """The file as a whole cannot be read (wrong header, format or encoding)."""


def check_header(header) -> None:
    names = [str(h or "").strip().lstrip("\ufeff").rstrip("*") for h in header]
    while names and not names[-1]:
        names.pop()
    if names not in (COLUMNS, HEADERS):
        raise BulkFileError(
            f"列名不符，应为：{'、'.join(HEADERS)}（或 {','.join(COLUMNS)}），请使用下载的模板"
        )


def _rows(text_stream):
    reader = csv.reader(text_stream)
    check_header(next(reader, []))
    for number, row in enumerate(reader, start=2):
        yield (number, *row)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BulkFileError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV")


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:
        raise BulkFileError("文件已损坏或不是有效的 XLSX 文件") from None
    rows = ws.iter_rows(values_only=True)
    check_header(next(rows, []))
    for number, row in enumerate(rows, start=2):
        cells = [_cell(v) for v in row[: len(COLUMNS)]]
        if not any(cells):
            continue
        yield (number, *(cells + [""] * (len(COLUMNS) - len(cells))))


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()[:10]
    return str(v).strip()


def file_rows(data: bytes, filename: str = "data.csv"):
    """(row number, *COLUMNS) for a .csv or .xlsx; raises BulkFileError for a bad file."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(data)
    if name.endswith(".csv"):
        return _rows(io.StringIO(decode(data)))
    raise BulkFileError("不支持的文件格式，请上传 .csv 或 .xlsx 文件")


def _normaliser():
    """Dates in the forms of REFERENCE.md §12 to ISO and channel names to codes, once per
    distinct text (a million rows carry a few hundred distinct dates)."""
    from .result_tables import parse_date

    dates: dict[str, str] = {}

    def date(text: str) -> str:
        if text not in dates:
            try:
                datetime.date.fromisoformat(text)
                dates[text] = text if len(text) == 10 else ""
            except ValueError:
                d = parse_date(text)[0] if text else None
                dates[text] = d.isoformat() if d else ""
        return dates[text]

    def row(r):
        r = list(r)
        r[6] = CHANNELS.get(r[6].strip(), r[6].strip())
        r[7] = date(r[7].strip())
        return r

    return row


def load_staging(cursor, table: str, text_stream, batch: int = 20000) -> int:
    return load_rows(cursor, table, _rows(text_stream), batch)


def load_rows(cursor, table: str, rows, batch: int = 20000, on_batch=None, normalise=None) -> int:
    cursor.execute(
        f"CREATE TEMP TABLE {table} (row_no INTEGER, sample_no TEXT, producer_code TEXT, "
        "product_name TEXT, category_code TEXT, region_code TEXT, channel TEXT, sampled_on TEXT, "
        "item TEXT, result TEXT, limit_text TEXT, error TEXT, verdict TEXT)"
    )
    sql = f"INSERT INTO {table} VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,NULL)"
    width = len(COLUMNS) + 1
    total, chunk = 0, []
    copy = None
    if connection.vendor == "postgresql":  # COPY is PostgreSQL's bulk path, several times faster
        copy_sql = (
            f"COPY {table} (row_no, sample_no, producer_code, product_name, category_code, "
            "region_code, channel, sampled_on, item, result, limit_text, error) FROM STDIN"
        )
        copy = cursor.cursor.copy(copy_sql)
        writer = copy.__enter__()

    def flush(rows_):
        if copy is not None:
            for r in rows_:
                writer.write_row(r)
        else:
            cursor.executemany(sql, rows_)

    for row in rows:
        error = None
        if len(row) != width:
            error = f"列数不符：应为{len(COLUMNS)}列，实为{len(row) - 1}列"
            row = (tuple(row) + ("",) * width)[:width]
        if normalise is not None:
            row = normalise(row)
        chunk.append((*row, error))
        if len(chunk) >= batch:
            flush(chunk)
            total += len(chunk)
            chunk = []
            if on_batch is not None:
                on_batch(total)
    if chunk:
        flush(chunk)
        total += len(chunk)
    if copy is not None:
        copy.__exit__(None, None, None)
    return total


REASON_COLUMN = {
    "缺少抽样编号": "sample_no",
    "未知类别代码": "category_code",
    "类别不属于本计划的类别体系": "category_code",
    "未知区划代码": "region_code",
    "统一社会信用代码在名录中不存在": "producer_code",
    "统一社会信用代码校验不通过": "producer_code",
    "抽样日期无法识别": "sampled_on",
    "抽样日期晚于今天": "sampled_on",
    "未知抽样环节": "channel",
    "该样品已导入": "sample_no",
    "同一抽样编号的各行样品信息不一致": "sample_no",
    "缺少检验项目": "item",
    "缺少标准值": "limit",
    "检验结果无法判定": "result",
}


def import_csv(
    plan,
    data: bytes | str,
    user=None,
    max_errors: int = 1000,
    filename: str = "data.csv",
    on_progress=None,
    run_id: int | None = None,
) -> dict:
    """Stage, validate set-based, write. Returns counts, the first ``max_errors`` errors
    (row, column, reason) and the months of the written samples; queues the indicator
    recomputation of those months after commit."""
    if isinstance(data, str):
        rows_in = _rows(io.StringIO(data))
    else:
        rows_in = file_rows(data, filename)
    stage = f"qc_stage_{uuid.uuid4().hex[:8]}"
    today = timezone.localdate().isoformat()
    root = plan.category.code[:1]
    with transaction.atomic(), connection.cursor() as c:
        rows = load_rows(c, stage, rows_in, on_batch=on_progress, normalise=_normaliser())
        c.execute(f"CREATE INDEX {stage}_no ON {stage}(sample_no)")
        if (
            connection.vendor == "postgresql"
        ):  # temp tables are never auto-analysed: give the planner sizes
            c.execute(f"ANALYZE {stage}")
        # set-based checks, each one statement over the whole file
        checks = [
            ("sample_no = ''", "缺少抽样编号"),
            ("category_code NOT IN (SELECT code FROM registry_productcategory)", "未知类别代码"),
            (
                f"category_code NOT LIKE '{root}%%'",
                "类别不属于本计划的类别体系",
            ),  # %% : params follow
            ("region_code NOT IN (SELECT code FROM core_region)", "未知区划代码"),
            (
                "producer_code <> '' AND producer_code NOT IN "
                "(SELECT credit_code FROM registry_enterprise WHERE credit_code IS NOT NULL)",
                "统一社会信用代码在名录中不存在",
            ),
            ("sampled_on = ''", "抽样日期无法识别"),
            (f"sampled_on > '{today}'", "抽样日期晚于今天"),
            ("channel NOT IN ('production','circulation','catering','online')", "未知抽样环节"),
            ("sample_no IN (SELECT number FROM inspection_sample)", "该样品已导入"),
            (
                "sample_no IN (SELECT sample_no FROM "
                f"(SELECT sample_no FROM {stage} GROUP BY sample_no HAVING "
                "COUNT(DISTINCT producer_code) > 1 OR COUNT(DISTINCT category_code) > 1 OR "
                "COUNT(DISTINCT region_code) > 1 OR COUNT(DISTINCT channel) > 1 OR "
                "COUNT(DISTINCT sampled_on) > 1) x)",
                "同一抽样编号的各行样品信息不一致",
            ),
            ("item = ''", "缺少检验项目"),
            ("limit_text = ''", "缺少标准值"),
        ]
        for where, reason in checks:
            c.execute(f"UPDATE {stage} SET error = %s WHERE error IS NULL AND {where}", [reason])
        # a code that is not in the registry may simply be mistyped: say so (per distinct code)
        c.execute(
            f"SELECT DISTINCT producer_code FROM {stage} WHERE error = %s",
            ["统一社会信用代码在名录中不存在"],
        )
        from qcity.registry import creditcode

        invalid = []
        for (code,) in c.fetchall():
            try:
                creditcode.validate(code)
            except creditcode.CreditCodeError:
                invalid.append((code,))
        if invalid:
            c.executemany(
                f"UPDATE {stage} SET error = '统一社会信用代码校验不通过' "
                "WHERE error = '统一社会信用代码在名录中不存在' AND producer_code = %s",
                invalid,
            )
        # judgement once per distinct (result, limit)
        c.execute(f"SELECT DISTINCT result, limit_text FROM {stage} WHERE error IS NULL")
        pairs = c.fetchall()
        c.execute(f"CREATE TEMP TABLE {stage}_j (result TEXT, limit_text TEXT, verdict TEXT)")
        judged = []
        for result, limit in pairs:
            v = values.judge(result, limit).verdict
            judged.append((result, limit, VERDICT.get(v, Conclusion.UNKNOWN)))
        c.executemany(f"INSERT INTO {stage}_j VALUES (%s,%s,%s)", judged)
        c.execute(f"CREATE INDEX {stage}_jk ON {stage}_j(result, limit_text)")
        c.execute(  # UPDATE … FROM: a join, not a correlated sub-query per row (SQLite ≥ 3.33)
            f"UPDATE {stage} SET verdict = j.verdict FROM {stage}_j j WHERE "
            f"j.result = {stage}.result AND j.limit_text = {stage}.limit_text AND {stage}.error IS NULL"
        )
        c.execute(
            f"UPDATE {stage} SET error = %s WHERE error IS NULL AND verdict = %s",
            ["检验结果无法判定", Conclusion.UNKNOWN],
        )
        c.execute(f"SELECT COUNT(*) FROM {stage} WHERE error IS NOT NULL")
        error_count = c.fetchone()[0]
        if error_count:
            c.execute(
                f"SELECT row_no, error FROM {stage} WHERE error IS NOT NULL ORDER BY row_no LIMIT %s",
                [max_errors],
            )
            errors = [
                {
                    "row": r,
                    "column": COLUMN_OF.get(REASON_COLUMN.get(e, ""), ""),
                    "reason": e,
                }
                for r, e in c.fetchall()
            ]
            c.execute(f"DROP TABLE {stage}_j")
            c.execute(f"DROP TABLE {stage}")
            return {
                "rows": rows,
                "created": 0,
                "errors": errors,
                "error_count": error_count,
                "months": [],
            }
        now = timezone.now()
        # the staging table keeps dates as text; PostgreSQL needs an explicit cast into a date column
        sampled = (
            "MIN(s.sampled_on)" if connection.vendor == "sqlite" else "MIN(s.sampled_on)::date"
        )
        # samples: one per sample_no; conclusion = fail if any item fails
        c.execute(
            "INSERT INTO inspection_sample (created_at, updated_at, unit_id, is_void, void_reason, "
            "number, plan_id, kind, level, sample_type, producer_id, product_name, spec, brand, "
            "category_id, category_code, region_id, channel, batch, sampler, sampled_on, "
            "conclusion, reported_on, overturned, is_public, import_run_id) "
            "SELECT %s, %s, %s, %s, '', s.sample_no, %s, cat.kind, %s, %s, e.id, MIN(s.product_name), "
            f"'', '', cat.id, cat.code, r.id, MIN(s.channel), '', '', {sampled}, "
            "CASE WHEN SUM(CASE WHEN s.verdict = 'fail' THEN 1 ELSE 0 END) > 0 THEN 'fail' ELSE 'pass' END, "
            f"{sampled}, %s, %s, %s "
            f"FROM {stage} s JOIN registry_productcategory cat ON cat.code = s.category_code "
            "JOIN core_region r ON r.code = s.region_code "
            "LEFT JOIN registry_enterprise e ON e.credit_code = s.producer_code AND s.producer_code <> '' "
            "GROUP BY s.sample_no, cat.id, cat.kind, cat.code, r.id, e.id",
            [
                now,
                now,
                plan.unit_id,
                False,
                plan.pk,
                plan.level,
                plan.sample_type,
                False,
                True,
                run_id,
            ],
        )
        c.execute(
            "INSERT INTO inspection_testitem (sample_id, item, method_standard, value_text, unit, "
            "limit_text, verdict, reasons) "
            "SELECT sm.id, s.item, '', s.result, '', s.limit_text, s.verdict, '' "
            f"FROM {stage} s JOIN inspection_sample sm ON sm.number = s.sample_no"
        )
        month = (
            "substr(sm.sampled_on, 1, 8) || '01'"
            if connection.vendor == "sqlite"
            else "date_trunc('month', sm.sampled_on)::date"
        )
        c.execute(
            "INSERT INTO inspection_passraterollup (kind, category_code, region_id, level, "
            "sample_type, channel, month, tested, qualified) "
            f"SELECT sm.kind, sm.category_code, sm.region_id, sm.level, sm.sample_type, sm.channel, {month}, "
            "COUNT(*), SUM(CASE WHEN sm.conclusion = 'pass' THEN 1 ELSE 0 END) "
            f"FROM inspection_sample sm WHERE sm.number IN (SELECT DISTINCT sample_no FROM {stage}) "
            f"GROUP BY sm.kind, sm.category_code, sm.region_id, sm.level, sm.sample_type, sm.channel, {month} "
            "ON CONFLICT (kind, category_code, region_id, level, sample_type, channel, month) "
            "DO UPDATE SET tested = inspection_passraterollup.tested + excluded.tested, "
            "qualified = inspection_passraterollup.qualified + excluded.qualified"
        )
        c.execute(f"SELECT COUNT(DISTINCT sample_no) FROM {stage}")
        created = c.fetchone()[0]
        c.execute(f"SELECT DISTINCT substr(sampled_on, 1, 7) FROM {stage}")
        months = sorted(datetime.date.fromisoformat(f"{m}-01") for (m,) in c.fetchall())
        c.execute(f"DROP TABLE {stage}_j")
        c.execute(f"DROP TABLE {stage}")
        from .services import queue_recompute

        queue_recompute(months)  # runs after commit: the months the new samples count in
    return {"rows": rows, "created": created, "errors": [], "error_count": 0, "months": months}


def raw_executemany(data: bytes | str) -> int:
    """The same file into a plain table with executemany and no checks (the comparison)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    name = f"qc_raw_{uuid.uuid4().hex[:8]}"
    with transaction.atomic(), connection.cursor() as c:
        n = load_staging(c, name, io.StringIO(text))
        c.execute(f"DROP TABLE {name}")
    return n


__all__ = ["COLUMNS", "import_csv", "raw_executemany", "datetime"]
