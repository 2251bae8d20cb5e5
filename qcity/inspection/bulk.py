"""Bulk result import for very large files (a million rows): a staging table, set-based
validation in SQL, judgement once per distinct (result, limit) pair, then set-based inserts of
samples, test items and rollup counts. All or nothing, like the row-by-row importer.

Input: a CSV (UTF-8) with the columns of ``COLUMNS`` (one test item per row; a sample with
several items repeats its 抽样编号). Used by ``bench/supervision``; the web importer uses
``services.import_results`` for the published-table layout.
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
VERDICT = {values.PASS: Conclusion.PASS, values.FAIL: Conclusion.FAIL}


def _rows(text_stream):
    reader = csv.reader(text_stream)
    header = next(reader)
    if header != COLUMNS:
        raise ValueError(f"列名不符，应为：{','.join(COLUMNS)}")
    for number, row in enumerate(reader, start=2):
        yield (number, *row)


def load_staging(cursor, table: str, text_stream, batch: int = 20000) -> int:
    cursor.execute(
        f"CREATE TEMP TABLE {table} (row_no INTEGER, sample_no TEXT, producer_code TEXT, "
        "product_name TEXT, category_code TEXT, region_code TEXT, channel TEXT, sampled_on TEXT, "
        "item TEXT, result TEXT, limit_text TEXT, error TEXT, verdict TEXT)"
    )
    sql = f"INSERT INTO {table} VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,NULL,NULL)"
    total, chunk = 0, []
    for row in _rows(text_stream):
        chunk.append(row)
        if len(chunk) >= batch:
            cursor.executemany(sql, chunk)
            total += len(chunk)
            chunk = []
    if chunk:
        cursor.executemany(sql, chunk)
        total += len(chunk)
    return total


def import_csv(plan, data: bytes | str, user=None, max_errors: int = 1000) -> dict:
    """Stage, validate set-based, write. Returns counts and the first ``max_errors`` errors."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    stage = f"qc_stage_{uuid.uuid4().hex[:8]}"
    today = timezone.localdate().isoformat()
    with transaction.atomic(), connection.cursor() as c:
        rows = load_staging(c, stage, io.StringIO(text))
        c.execute(f"CREATE INDEX {stage}_no ON {stage}(sample_no)")
        # set-based checks, each one statement over the whole file
        checks = [
            ("category_code NOT IN (SELECT code FROM registry_productcategory)", "未知类别代码"),
            ("region_code NOT IN (SELECT code FROM core_region)", "未知区划代码"),
            (
                "producer_code <> '' AND producer_code NOT IN "
                "(SELECT credit_code FROM registry_enterprise WHERE credit_code IS NOT NULL)",
                "统一社会信用代码在名录中不存在",
            ),
            (f"sampled_on > '{today}'", "抽样日期晚于今天"),
            ("channel NOT IN ('production','circulation','catering','online')", "未知抽样环节"),
            ("sample_no IN (SELECT number FROM inspection_sample)", "该样品已导入"),
            ("limit_text = ''", "缺少标准值"),
        ]
        for where, reason in checks:
            c.execute(f"UPDATE {stage} SET error = %s WHERE error IS NULL AND {where}", [reason])
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
        c.execute(
            f"UPDATE {stage} SET verdict = (SELECT j.verdict FROM {stage}_j j WHERE "
            f"j.result = {stage}.result AND j.limit_text = {stage}.limit_text) WHERE error IS NULL"
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
            errors = [{"row": r, "reason": e} for r, e in c.fetchall()]
            c.execute(f"DROP TABLE {stage}_j")
            c.execute(f"DROP TABLE {stage}")
            return {"rows": rows, "created": 0, "errors": errors, "error_count": error_count}
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
            "conclusion, reported_on, overturned, is_public) "
            "SELECT %s, %s, %s, %s, '', s.sample_no, %s, cat.kind, %s, %s, e.id, MIN(s.product_name), "
            f"'', '', cat.id, cat.code, r.id, MIN(s.channel), '', '', {sampled}, "
            "CASE WHEN SUM(CASE WHEN s.verdict = 'fail' THEN 1 ELSE 0 END) > 0 THEN 'fail' ELSE 'pass' END, "
            f"{sampled}, %s, %s "
            f"FROM {stage} s JOIN registry_productcategory cat ON cat.code = s.category_code "
            "JOIN core_region r ON r.code = s.region_code "
            "LEFT JOIN registry_enterprise e ON e.credit_code = s.producer_code AND s.producer_code <> '' "
            "GROUP BY s.sample_no, cat.id, cat.kind, cat.code, r.id, e.id",
            [now, now, plan.unit_id, False, plan.pk, plan.level, plan.sample_type, False, True],
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
        c.execute(f"DROP TABLE {stage}_j")
        c.execute(f"DROP TABLE {stage}")
    return {"rows": rows, "created": created, "errors": [], "error_count": 0}


def raw_executemany(data: bytes | str) -> int:
    """The same file into a plain table with executemany and no checks (the comparison)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    name = f"qc_raw_{uuid.uuid4().hex[:8]}"
    with transaction.atomic(), connection.cursor() as c:
        n = load_staging(c, name, io.StringIO(text))
        c.execute(f"DROP TABLE {name}")
    return n


__all__ = ["COLUMNS", "import_csv", "raw_executemany", "datetime"]
