"""Result imports: lab files and published 抽检 tables, small and large (bulk jobs)."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core import audit, uploads
from qcity.core.choices import ChangeAction
from qcity.registry.models import Enterprise, ProductCategory

from .. import result_tables, values
from ..choices import Conclusion
from ..models import (
    ResultImport,
    Sample,
    TestItem,
)
from .common import _today, queue_recompute
from .disposal import open_case
from .rollups import _bump, rollup_state
from .sampling import ItemInput, _flat, _sample_fields, judge_items


# --------------------------------------------------------------------------- import
@dataclass
class ImportReport:
    run: ResultImport | None
    errors: list[dict] = field(default_factory=list)
    created: int = 0
    skipped: int = 0
    matches: list[dict] = field(default_factory=list)
    # rows held back for the clerk: the category guessed from the product name is not sure
    review: list[dict] = field(default_factory=list)
    # parser hints (a corrected result/limit swap, a typed column label, a shifted row …)
    hints: list[dict] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


_SUFFIX_RE = re.compile(r"(股份)?有限(责任)?公司|分公司|有限公司|公司|厂$")


def _norm_name(name: str) -> str:
    text = (
        values.normalize(result_tables.simplify(name or "")).replace("（", "(").replace("）", ")")
    )
    return _SUFFIX_RE.sub("", re.sub(r"\s+", "", text))


class EnterpriseMatcher:
    """Producer matching: credit code (1.00), name + address (0.95), unique name (0.80),
    unique name without legal-form suffix (0.60); otherwise unmatched."""

    def __init__(self):
        self.by_code, self.by_name_addr, self.by_name, self.by_norm = {}, {}, {}, {}
        for pk, code, name, address in Enterprise.objects.values_list(
            "pk", "credit_code", "name", "address"
        ):
            if code:
                self.by_code[code] = pk
            self.by_name_addr[(name, address)] = pk
            self.by_name.setdefault(name, []).append(pk)
            self.by_norm.setdefault(_norm_name(name), []).append(pk)

    def match(self, code, name, address) -> tuple[int | None, Decimal]:
        if code:
            from qcity.registry import creditcode

            try:
                code = creditcode.validate(code)
            except creditcode.CreditCodeError:
                code = None
            if code and code in self.by_code:
                return self.by_code[code], Decimal("1.00")
        if not name:
            return None, Decimal("0")
        if (name, address or "") in self.by_name_addr:
            return self.by_name_addr[(name, address or "")], Decimal("0.95")
        if len(self.by_name.get(name, [])) == 1:
            return self.by_name[name][0], Decimal("0.80")
        norm = self.by_norm.get(_norm_name(name), [])
        if len(norm) == 1:
            return norm[0], Decimal("0.60")
        return None, Decimal("0")

    def add(self, enterprise):
        self.by_name_addr[(enterprise.name, enterprise.address)] = enterprise.pk
        self.by_name.setdefault(enterprise.name, []).append(enterprise.pk)
        self.by_norm.setdefault(_norm_name(enterprise.name), []).append(enterprise.pk)


# A category guessed from the product name below this confidence is not taken: the row goes
# to the clerk's review list (issue 11: never a silent guess).
CATEGORY_AUTO_CONFIDENCE = Decimal("0.80")


def _key(text: str) -> str:
    return values.normalize(result_tables.simplify(text)).replace(" ", "")


class CategoryMatcher:
    def __init__(self, root_code: str):
        self.root = root_code
        self.by_name: dict[str, list[ProductCategory]] = {}
        for cat in ProductCategory.objects.all():
            self.by_name.setdefault(_key(cat.name), []).append(cat)

    def from_product(self, product_name: str) -> tuple[ProductCategory | None, Decimal, list]:
        """The category of a product from its name alone, for tables whose 分类 cell is empty:
        -> (category or None, confidence, candidates [(category, confidence)] best first).

        The exact name of a category is 1.00; a category name ending the product name
        (压榨花生油 → 花生油) scores by how much of the name it covers, at least 0.80; a
        category name inside the product name, or shared two-character words, score lower.
        The deepest category wins among equal names; two different categories with the same
        best score are not told apart (confidence lowered), so the clerk decides."""
        name = _key(re.sub(r"[(（].*?[)）]", "", product_name or ""))
        if not name:
            return None, Decimal("0"), []
        scores: dict[int, tuple[ProductCategory, Decimal]] = {}
        grams = {name[i : i + 2] for i in range(len(name) - 1)}
        for key, cats in self.by_name.items():
            inside = [c for c in cats if c.code.startswith(self.root)]
            if not inside or len(key) < 2:
                continue
            if key == name:
                score = Decimal("1.00")
            elif name.endswith(key):
                score = Decimal("0.80") + Decimal("0.15") * Decimal(len(key)) / len(name)
            elif key in name:
                score = Decimal("0.50") + Decimal("0.20") * Decimal(len(key)) / len(name)
            else:
                kg = {key[i : i + 2] for i in range(len(key) - 1)}
                common = grams & kg
                if not common:
                    continue
                score = Decimal("0.50") * Decimal(len(common)) / len(kg | grams)
            cat = max(inside, key=lambda c: c.level)
            if cat.pk not in scores or scores[cat.pk][1] < score:
                scores[cat.pk] = (cat, score.quantize(Decimal("0.01")))
        ranked = sorted(scores.values(), key=lambda cs: (-cs[1], -cs[0].level, cs[0].code))
        if not ranked:
            return None, Decimal("0"), []
        best, conf = ranked[0]
        if len(ranked) > 1 and ranked[1][1] == conf and not best.code.startswith(ranked[1][0].code):
            conf = min(conf, CATEGORY_AUTO_CONFIDENCE - Decimal("0.01"))
        return best, conf, ranked[:3]

    def match(self, *names) -> ProductCategory | None:
        for name in names:
            if not name:
                continue
            key = _key(re.sub(r"^[一二三四五六七八九十]+、", "", name))
            cands = self.by_name.get(key, [])
            inside = [c for c in cands if c.code.startswith(self.root)]
            if inside:
                return max(inside, key=lambda c: c.level)
            if cands:
                return None  # a known category outside the plan: reported by the caller
        return None


def _region_for(*texts: str, default):
    """The district named in the first of ``texts`` that names one (else ``default``).

    Matched on the simplified text, so a traditional-character address (江南區) finds its
    district (江南区); later texts (the 被抽样单位 name or address) are only fallbacks for a
    row whose earlier text names no district."""
    from qcity.core.models import Region

    regions = [
        (result_tables.simplify(r.name), r)
        for r in Region.objects.filter(pk__in=default.subtree_ids()).exclude(pk=default.pk)
        if r.name
    ]
    # the longest name first, so a street inside a district wins over the district
    regions.sort(key=lambda nr: -len(nr[0]))
    for text in texts:
        text = result_tables.simplify(text or "")
        if not text:
            continue
        for name, region in regions:
            if name in text:
                return region
    return default


_CATERING = ("餐饮", "餐厅", "饭店", "酒店", "酒楼", "饭馆", "餐馆", "食堂", "小吃", "快餐", "面馆",
             "火锅", "烧烤", "大排档", "茶餐厅", "农家乐", "食府", "排档", "粉店", "奶茶")  # fmt: skip
_ONLINE = ("旗舰店", "专营店", "网店", "天猫", "淘宝", "京东", "拼多多", "抖音")
_TRADE = ("超市", "商场", "商店", "商行", "便利店", "市场", "批发", "经营部", "门市", "百货",
          "副食", "零售", "购物", "商贸", "食品店", "药房", "药店", "摊")  # fmt: skip


def channel_for(rec: dict, layout: str = "food") -> str:
    """抽样环节 from what the table publishes: the kind of place sampled (a restaurant or canteen
    is 餐饮环节, an online shop 网络销售, a shop or market 流通环节) and the date label (a
    购进日期 is a purchase: 流通, never 生产环节). A row sampled at its own producer, or an
    industrial 受检单位 table, is 生产环节."""
    place = result_tables.simplify(rec.get("sampled_unit") or "")
    producer = result_tables.simplify(rec.get("producer_name") or "")
    if place and any(w in place for w in _CATERING):
        return "catering"
    if place and any(w in place for w in _ONLINE):
        return "online"
    if place and producer and _norm_name(place) == _norm_name(producer):
        return "production"
    if rec.get("date_kind") == "购进日期" or (place and any(w in place for w in _TRADE)):
        return "circulation"
    if layout == "product" or not place:
        return "production"
    return "production" if re.search(r"厂|公司|合作社|加工", place) else "circulation"


def _search_text(rec: dict) -> str:
    """Simplified copy of the published names and items, so a simplified search finds rows
    published in traditional characters."""
    parts = [rec.get(f) or "" for f in ("product_name", "producer_name", "sampled_unit", "brand",
                                         "lab", "notice_no", "task_source")]  # fmt: skip
    parts += [i.get("item") or "" for i in rec.get("items") or []]
    return result_tables.simplify(" ".join(p for p in parts if p))


def _row_key(rec: dict) -> str:
    parts = [
        rec.get("sample_no") or "",
        rec.get("producer_name") or "",
        rec.get("sampled_unit") or "",
        rec.get("product_name") or "",
        rec.get("spec") or "",
        rec.get("production_date") or rec.get("batch") or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]


def import_results(
    plan,
    filename: str,
    data: bytes,
    user=None,
    create_unmatched: bool = True,
    categories_confirmed: dict[int, str] | None = None,
    review_of=None,
):
    """Import a lab file or a published result table into ``plan``: all rows or none.

    Refused when the same file was imported before; a row whose sample already exists is
    skipped (idempotent). Each problem is reported with row, column and reason. Rows whose
    category could only be guessed are held for review; ``review_of`` (the earlier run, whose
    file is kept) with ``categories_confirmed`` (row -> category code chosen by the clerk)
    imports them: the rows imported the first time are skipped as existing."""
    sha = hashlib.sha256(data).hexdigest()
    confirmed = categories_confirmed or {}
    previous = ResultImport.objects.filter(sha256=sha, committed=True).first()
    if previous is not None and review_of is None:
        raise ValidationError(
            _("该文件已于{when}导入（{name}），不能重复导入").format(
                when=timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M"),
                name=previous.file_name,
            )
        )
    read = result_tables.read_table(data, filename)
    report = ImportReport(run=None)
    report.rows_read = len(read.rows)
    for e in read.errors:
        if e.level == "错误":
            report.errors.append({"row": e.row, "column": e.column, "reason": e.reason})
        else:
            report.hints.append({"row": e.row, "column": e.column, "reason": e.reason})
    if not read.rows and not report.errors:
        report.errors.append({"row": 0, "column": "", "reason": _("文件中没有数据行")})
    enterprises = EnterpriseMatcher()
    categories = CategoryMatcher(plan.category.code[:1])
    today = _today()
    prepared = []
    seen_keys = set()
    existing_keys = set()
    for rec in read.rows:
        row = rec["row"]

        def err(column, reason, row=row):
            report.errors.append({"row": row, "column": column, "reason": reason})

        if not rec.get("product_name"):
            err(_("食品名称"), _("缺少样品名称"))
            continue
        category = categories.match(
            rec.get("category"), rec.get("section"), rec.get("product_name")
        )
        if category is None and row in confirmed:
            category = ProductCategory.objects.filter(
                code=confirmed[row], code__startswith=plan.category.code[:1]
            ).first()
            if category is None:
                err(_("分类"), _("确认的类别代码“{c}”不在类别树中").format(c=confirmed[row]))
                continue
            report.hints.append(
                {
                    "row": row,
                    "column": _("分类"),
                    "reason": _("分类由办事人员确认为“{c}”").format(c=category.name),
                }
            )
        elif category is None and not rec.get("category") and not rec.get("section"):
            # empty 分类 cell: the category from the product name, taken only when sure
            category, confidence, candidates = categories.from_product(rec["product_name"])
            if category is None or confidence < CATEGORY_AUTO_CONFIDENCE:
                report.review.append(
                    {
                        "row": row,
                        "product_name": rec["product_name"],
                        "confidence": str(confidence),
                        "candidates": [
                            {"code": c.code, "name": c.name, "confidence": str(x)}
                            for c, x in candidates
                        ],
                    }
                )
                continue
            report.hints.append(
                {
                    "row": row,
                    "column": _("分类"),
                    "reason": _("分类为空，按食品名称“{n}”归入“{c}”（置信度{x}）").format(
                        n=rec["product_name"], c=category.name, x=confidence
                    ),
                }
            )
        if category is None:
            shown = rec.get("category") or rec.get("section") or rec.get("product_name")
            err(
                _("分类"),
                _("未知类别“{c}”，不在计划类别“{p}”的类别树中").format(c=shown, p=plan.category),
            )
            continue
        production_date = (
            datetime.date.fromisoformat(rec["production_date"])
            if rec.get("production_date")
            else None
        )
        if production_date and production_date > today:
            err(_("生产日期/批号"), _("日期“{d}”晚于今天").format(d=production_date))
            continue
        sampled_on = None
        if rec.get("sampled_on"):
            d, _kind, problem = result_tables.parse_date(rec["sampled_on"])
            if d is None:
                err(
                    _("抽样日期"),
                    problem or _("无法识别的抽样日期“{d}”").format(d=rec["sampled_on"]),
                )
                continue
            sampled_on = d
        notice_date = (
            datetime.date.fromisoformat(rec["notice_date"]) if rec.get("notice_date") else None
        )
        if notice_date and notice_date > today:
            err(_("公告日期"), _("日期“{d}”晚于今天").format(d=notice_date))
            continue
        if sampled_on and sampled_on > today:
            err(_("抽样日期"), _("日期“{d}”晚于今天").format(d=sampled_on))
            continue
        # 抽样日期 is never invented: when the table does not publish it, the sample is counted
        # on the announcement date (else the import day) and shown as not published. The plan's
        # start is not used: it can lie before the product was even made, moving the row into
        # the wrong year; for the same reason the fallback is never before the production date.
        sampled_on_published = sampled_on is not None
        if sampled_on is None:
            sampled_on = notice_date or today
            if production_date and sampled_on < production_date:
                sampled_on = production_date
        sampled_on = min(sampled_on, today)
        # conclusion and items
        listed = [i for i in rec.get("items") or [] if i.get("listed")]
        items = [
            ItemInput(i.get("item") or "", i.get("result") or "", i.get("limit") or "")
            for i in rec.get("items") or []
            if (i.get("item") or i.get("result")) and not i.get("listed")
        ]
        verdict_text = values.normalize(rec.get("verdict") or "")
        if listed:
            # an industrial table listing only the failing items' names: 不合格 as published
            conclusion = Conclusion.FAIL
            built = [
                TestItem(
                    item=i["item"][:200],
                    value_text="",
                    verdict=Conclusion.FAIL,
                    reasons=_("公布表只列出不合格项目名称，按公布结论判定")[:300],
                )
                for i in listed
            ]
        elif items:
            conclusion, built, problems = judge_items(items)
            if problems:
                for p in problems:
                    err(_("不合格项目║检验结果║标准值"), p)
                continue
        else:
            built = []
            if "不合格" in verdict_text:
                err(_("不合格项目║检验结果║标准值"), _("结论为不合格但没有不合格项目"))
                continue
            conclusion = Conclusion.PASS
        if "不合格" in verdict_text and conclusion != Conclusion.FAIL:
            err(_("检验结论"), _("表中结论为不合格，但各项目均判定合格"))
            continue
        key = _row_key(rec)
        if key in seen_keys:
            err("", _("与本文件中前面的行是同一样品（重复行）"))
            continue
        seen_keys.add(key)
        number = (rec.get("sample_no") or "").strip() or f"IMP{key[:14].upper()}"
        if (
            Sample.objects.filter(source_key=key).exists()
            or Sample.objects.filter(number=number).exists()
        ):
            existing_keys.add(key)
            report.skipped += 1
            continue
        rec["_sampled_on_published"] = sampled_on_published
        rec["_notice_date"] = notice_date
        prepared.append(
            (rec, category, production_date, sampled_on, conclusion, built, key, number)
        )

    with transaction.atomic():
        run = ResultImport.objects.create(
            plan=plan,
            file_name=filename[:255],
            sha256=sha,
            created_by=user,
            rows_total=len(read.rows),
        )
        report.run = run
        if report.errors:
            run.errors, run.rows_skipped = report.errors, report.skipped
            run.matches = [{"review": True, **r} for r in report.review]
            run.save()
            return report
        sid = transaction.savepoint()
        try:
            for (
                rec,
                category,
                production_date,
                sampled_on,
                conclusion,
                built,
                key,
                number,
            ) in prepared:
                producer_pk, confidence = enterprises.match(
                    rec.get("producer_code"), rec.get("producer_name"), rec.get("producer_address")
                )
                region = _region_for(
                    rec.get("sampled_address"),
                    rec.get("producer_address"),
                    rec.get("sampled_unit"),
                    default=plan.region,
                )
                match_note = {
                    "row": rec["row"],
                    "name": rec.get("producer_name"),
                    "confidence": str(confidence),
                }
                if producer_pk is None and rec.get("producer_name"):
                    if not create_unmatched:
                        report.errors.append(
                            {
                                "row": rec["row"],
                                "column": _("标称生产企业名称"),
                                "reason": _("生产企业“{n}”未能匹配到名录中的市场主体").format(
                                    n=rec.get("producer_name")
                                ),
                            }
                        )
                        continue
                    # registered by name even without an address ("/" in the table):
                    # unverified, so the register shows it needs checking
                    producer = Enterprise.objects.create(
                        name=rec["producer_name"][:200],
                        address=(rec.get("producer_address") or "")[:300],
                        region=_region_for(rec.get("producer_address"), default=plan.region),
                        verified=False,
                    )
                    enterprises.add(producer)
                    producer_pk = producer.pk
                    match_note["created"] = True
                    if not rec.get("producer_address"):
                        match_note["no_address"] = True
                report.matches.append(match_note)
                sampled_pk, _c = enterprises.match(
                    None, rec.get("sampled_unit"), rec.get("sampled_address")
                )
                sample = Sample.objects.create(
                    number=number[:60],
                    plan=plan,
                    producer_id=producer_pk,
                    sampled_unit_id=sampled_pk,
                    product_name=rec["product_name"][:200],
                    spec=(rec.get("spec") or "")[:100],
                    brand=(rec.get("brand") or "")[:100],
                    category=category,
                    region=region,
                    channel=channel_for(rec, layout=read.layout),
                    batch=(rec.get("batch") or "")[:60],
                    production_date=production_date,
                    sampled_on=sampled_on,
                    sampled_on_published=rec["_sampled_on_published"],
                    conclusion=conclusion,
                    reported_on=sampled_on if rec["_sampled_on_published"] else None,
                    sampled_unit_name=(rec.get("sampled_unit") or "")[:200],
                    sampled_unit_address=(rec.get("sampled_address") or "")[:300],
                    lab_name=(rec.get("lab") or "")[:200],
                    notice_no=(rec.get("notice_no") or "")[:100],
                    notice_date=rec["_notice_date"],
                    task_source=(rec.get("task_source") or "")[:200],
                    published_row=rec.get("published") or {},
                    search_text=_search_text(rec),
                    is_public=True,
                    source_key=key,
                    import_run=run,
                    match_confidence=confidence if producer_pk else None,
                    **_sample_fields(plan, category),
                )
                for b in built:
                    b.sample = sample
                TestItem.objects.bulk_create(built)
                _bump(*_flat(rollup_state(sample)))
                if conclusion == Conclusion.FAIL:
                    open_case(sample, user, quiet=True)
                report.created += 1
            if report.errors:
                raise _Rollback
        except _Rollback:
            transaction.savepoint_rollback(sid)
            report.created = 0
            run.errors = report.errors
            run.save()
            return report
        transaction.savepoint_commit(sid)
        run.rows_created, run.rows_skipped = report.created, report.skipped
        run.matches = report.matches + [{"review": True, **r} for r in report.review]
        run.committed = bool(report.created)
        if report.review:  # kept so the held rows can be imported once the clerk confirms
            run.file.save(f"review-{sha[:16]}{_suffix(filename)}", ContentFile(data), save=False)
        run.errors = []
        run.save()
        audit.record(
            run,
            ChangeAction.IMPORT,
            after={"created": report.created, "skipped": report.skipped},
            note=_("导入检验结果 {name}：新增样品 {c} 批次，跳过已存在 {s} 批次").format(
                name=filename, c=report.created, s=report.skipped
            ),
            actor=user,
        )
    queue_recompute([p[3] for p in prepared])  # the sampling dates of the imported rows
    return report


class _Rollback(Exception):
    pass


def _suffix(filename: str) -> str:
    m = re.search(r"\.[A-Za-z0-9]{1,5}$", filename or "")
    return m.group(0).lower() if m else ""


def import_reviewed(run, categories_confirmed: dict[int, str], user=None) -> ImportReport:
    """Import the rows of ``run`` held for category review, with the categories the clerk
    confirmed (row -> category code). Rows left unconfirmed stay in the review list."""
    if not run.file:
        raise ValidationError(_("该次导入没有待确认的行"))
    with run.file.open("rb") as fh:
        data = fh.read()
    return import_results(
        run.plan,
        run.file_name,
        data,
        user,
        categories_confirmed=categories_confirmed,
        review_of=run,
    )


# --------------------------------------------------------------------------- large files
BULK_SUFFIXES = (".csv", ".xlsx")
RESULT_KINDS = ("xlsx", "xls", "csv", "html")  # lab files and published result tables


def start_bulk_import(plan, uploaded, user=None) -> ResultImport:
    """Check a large result file (format, size, header, not imported before), keep it and
    queue the set-based import as a job. Nothing is written to the samples here."""
    from qcity.core import jobs

    from .. import bulk

    if uploaded is None:
        raise ValidationError(_("请选择要导入的文件"))
    data = uploads.read_limited(uploaded, ("csv", "xlsx"))  # the one upload path
    try:
        next(iter(bulk.file_rows(data, uploaded.name)), None)
    except bulk.BulkFileError as exc:
        raise ValidationError(str(exc)) from None
    sha = hashlib.sha256(data).hexdigest()
    previous = ResultImport.objects.filter(sha256=sha, committed=True).first()
    if previous is not None:
        raise ValidationError(
            _("该文件已于{when}导入（{name}），不能重复导入").format(
                when=timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M"),
                name=previous.file_name,
            )
        )
    uploaded.seek(0)
    lines = data.count(b"\n") if uploaded.name.lower().endswith(".csv") else 0
    with transaction.atomic():
        run = ResultImport.objects.create(
            plan=plan,
            kind=ResultImport.BULK,
            file=uploaded,
            file_name=uploaded.name[:255],
            sha256=sha,
            created_by=user if user and user.is_authenticated else None,
        )
        run.job = jobs.enqueue("inspection.bulk_import", user=user, total=lines, run_id=run.pk)
        run.save(update_fields=["job"])
    return run


def run_bulk_import(run_id: int, job=None) -> dict:
    """The job: stage, check and write the whole file in one transaction (all or nothing),
    open the disposal cases of the failed samples, and log the run once."""
    from qcity.core import jobs

    from .. import bulk

    run = ResultImport.objects.select_related("plan__category").get(pk=run_id)
    user = run.created_by
    with run.file.open("rb") as fh:
        data = fh.read()

    def progress(done):
        if job is not None:
            jobs.progress(job, done, max(done, job.total or 0))

    with transaction.atomic():
        result = bulk.import_csv(
            run.plan, data, user, filename=run.file_name, on_progress=progress, run_id=run.pk
        )
        run.rows_total = result["rows"]
        run.rows_created = result["created"]
        run.errors = result["errors"]
        run.error_count = result["error_count"]
        run.committed = bool(result["created"])
        run.save()
        if run.committed:
            failed = Sample.objects.filter(import_run=run, conclusion=Conclusion.FAIL)
            for sample in failed.select_related("unit"):
                open_case(sample, user, quiet=True)
        audit.record(
            run,
            ChangeAction.IMPORT,
            after={
                "rows": run.rows_total,
                "created": run.rows_created,
                "errors": run.error_count,
            },
            note=(
                _("批量导入检验结果 {name}：{r} 行，新增样品 {c} 批次").format(
                    name=run.file_name, r=run.rows_total, c=run.rows_created
                )
                if run.committed
                else _("批量导入检验结果 {name}：{e} 行有错误，未写入任何数据").format(
                    name=run.file_name, e=run.error_count
                )
            ),
            actor=user,
        )
    if job is not None:
        jobs.progress(job, result["rows"], result["rows"])
    return {"rows": result["rows"], "created": result["created"], "errors": result["error_count"]}


def bulk_error_report(run) -> bytes:
    from qcity.core.documents import xlsx_bytes

    rows = [[e["row"], e.get("column", ""), e["reason"]] for e in run.errors]
    if run.error_count > len(run.errors):
        rows.append(
            [
                "",
                "",
                _("另有 {n} 行错误未列出，请先修正以上问题后重新导入").format(
                    n=run.error_count - len(run.errors)
                ),
            ]
        )
    return xlsx_bytes([(_("错误明细"), [_("行号"), _("列"), _("原因")], rows)])


def bulk_template() -> bytes:
    from qcity.core.documents import xlsx_bytes

    from .. import bulk

    notes = [
        [_("抽样编号"), _("必填。一个样品有多个检验项目时，每个项目一行，抽样编号相同")],
        [_("生产企业统一社会信用代码"), _("选填。填写时须为名录中已有的市场主体")],
        [_("类别代码"), _("必填。抽检类别树中的代码，如 F010101")],
        [_("区划代码"), _("必填。6位行政区划代码")],
        [_("抽样环节"), _("必填。生产环节、流通环节、餐饮环节或网络销售")],
        [_("抽样日期"), _("必填。如 2026-03-05、2026/3/5、2026年3月5日，不得晚于今天")],
        [_("检验结果"), _("必填。数值带单位（0.05mg/kg）、检出/未检出或科学计数")],
        [_("标准值"), _("必填。如 ≤0.2mg/kg、不得检出")],
    ]
    return xlsx_bytes(
        [
            (_("检验结果"), bulk.HEADERS, []),
            (_("填写说明"), [_("列名"), _("说明")], notes),
        ]
    )
