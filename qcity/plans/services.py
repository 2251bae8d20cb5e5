"""Plan ingestion: upload → extraction job → review draft → import (whole or nothing).

Every state change of the plans app goes through these functions (PATTERNS.md 5). The
reviewer's work lives in ``PlanImport.draft`` (plain JSON: facts, task rows, target rows,
unit resolutions), so a review can be left and resumed; nothing becomes a Plan until
``import_plan``, which creates the Plan, its sections, tasks, responsibilities and targets in
one transaction. A revised version of a plan is matched against the version it replaces so
kept tasks and targets keep their ``lineage``.
"""

from __future__ import annotations

import calendar
import datetime
import re
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from qcity.core import audit, events, jobs, notify, rulebook, uploads
from qcity.core import services as core_services
from qcity.core.choices import ChangeAction, UnitKind
from qcity.core.models import OrgUnit, Region

from .choices import (
    Direction,
    ImportStatus,
    PlanKind,
    PlanRole,
    ResponsibilityRole,
    TargetKind,
    TargetOp,
)
from .models import Plan, PlanImport, Responsibility, Section, Target, Task

ALLOWED_EXTENSIONS = (".txt", ".docx", ".pdf", ".html", ".htm", ".xlsx")
UNIT_SPLIT = re.compile(r"[、,，;；/\s]+")
TASK_FIELDS = ("number", "title", "body", "deadline_text")
TARGET_FIELDS = (
    "indicator",
    "op",
    "value",
    "value_high",
    "unit",
    "year",
    "kind",
    "direction",
    "base",
)
FACT_FIELDS = (
    "title",
    "kind",
    "region",
    "issuers_text",
    "doc_number",
    "signed_date",
    "posted_date",
    "period_start",
    "period_end",
    "default_year",
)


# ---------------------------------------------------------------- small helpers
def split_units(text) -> list[str]:
    """'市市场监管局、市住建局' → ['市市场监管局', '市住建局'] (repeats removed, order kept)."""
    if isinstance(text, (list, tuple)):
        parts = [str(p).strip() for p in text]
    else:
        parts = UNIT_SPLIT.split(text or "")
    out = []
    for part in parts:
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def _grams(text: str) -> set[str]:
    text = re.sub(r"[\s\"“”‘’'《》<>()（）\[\]、,，.:：;；·\-—]", "", text or "")
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams (0..1)."""
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def fold_number(number: str) -> str:
    return re.sub(r"[()（）.．、\s]", "", number or "")


def fold_indicator(text: str) -> str:
    text = re.sub(r"^(全市|全省|全区|全县|我市|我省|本市)", "", text or "")
    return re.sub(r"[\s()（）]", "", text)


def _decimal(value, field_label: str, row_label: str, required=True):
    if value in (None, ""):
        if required:
            raise ValidationError(
                _("{row}：{field}不能为空").format(row=row_label, field=field_label)
            )
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("{row}：{field}“{value}”不是数字").format(
                row=row_label, field=field_label, value=value
            )
        )
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        raise ValidationError(
            _("{row}：{field}“{value}”超出范围").format(
                row=row_label, field=field_label, value=value
            )
        )
    return number


def _year(value, label: str, row_label: str):
    if value in (None, ""):
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ValidationError(
            _("{row}：{field}“{value}”不是年份").format(row=row_label, field=label, value=value)
        )
    if not 1949 <= year <= 2100:
        raise ValidationError(
            _("{row}：{field}应在1949至2100年之间").format(row=row_label, field=label)
        )
    return year


def _date(value, label: str):
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_("{field}“{value}”不是有效日期").format(field=label, value=value))


def _num_text(value) -> str:
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    text = format(number.normalize(), "f")
    return text


def parse_deadline(text: str, default_year: int | None) -> datetime.date | None:
    """'2025年6月底前' → 2025-06-30; '2025年底前' → 2025-12-31; '年底前' → default year's end."""
    text = text or ""
    m = re.search(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日|底|末)?", text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            day = int(m.group(3)) if m.group(3) else calendar.monthrange(year, month)[1]
            try:
                return datetime.date(year, month, day)
            except ValueError:
                return None
    m = re.search(r"(\d{4})年(?:底|末|年底)?", text)
    if m:
        return datetime.date(int(m.group(1)), 12, 31)
    if re.search(r"年底|年末|年内", text) and default_year:
        return datetime.date(int(default_year), 12, 31)
    return None


# ---------------------------------------------------------------- upload and extraction
def start_import(uploaded, user, role: str = PlanRole.OURS, revision_of: Plan | None = None):
    """Check an uploaded plan file and queue its extraction.

    Returns ``(plan_import, created)``; ``created`` is False when the same file (by sha256)
    was uploaded before: the earlier import is returned and nothing is written.
    The size limit is checked before a byte is read.
    """
    name = (getattr(uploaded, "name", "") or "").rsplit("/", 1)[-1]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            {
                "file": _("不支持的文件类型“{ext}”，可上传的格式：{formats}").format(
                    ext=ext or _("无扩展名"), formats="、".join(ALLOWED_EXTENSIONS)
                )
            }
        )
    size = getattr(uploaded, "size", None)
    if uploads.too_large(uploaded):
        raise ValidationError(
            {
                "file": _("文件过大（{size:.1f} MB），超过 {limit} MB 的上限，未读取该文件").format(
                    size=size / 1024 / 1024, limit=uploads.limit_mb()
                )
            }
        )
    if not size:
        raise ValidationError({"file": _("文件为空，没有可识别的内容")})
    if role not in PlanRole.values:
        raise ValidationError({"role": _("请选择规划的用途")})
    if revision_of is not None:
        _check_revisable(revision_of)
    sha = uploads.sha256_of(uploaded)
    existing = PlanImport.objects.filter(sha256=sha).exclude(status=ImportStatus.DISCARDED).first()
    if existing is not None:
        return existing, False
    uploaded.seek(0)
    with transaction.atomic():
        imp = PlanImport(
            file_name=name[:255],
            sha256=sha,
            role=role,
            revision_of=revision_of,
            created_by=user if user and user.is_authenticated else None,
            status=ImportStatus.EXTRACTING,
        )
        imp.file.save(name, uploaded, save=False)
        imp.save()
        audit.record(imp, ChangeAction.CREATE, after=audit.snapshot(imp), actor=user)
        events.emit(imp, "plans.uploaded", _("上传规划文件"), actor=user, file=name)
        job = jobs.enqueue("plans.extract", user=user, import_id=imp.pk)
        PlanImport.objects.filter(pk=imp.pk).update(job=job)
    imp.refresh_from_db()
    return imp, True


def _check_revisable(plan: Plan):
    if not plan.is_current or plan.is_void:
        raise ValidationError({"revision_of": _("只能修订现行版本的规划")})
    if Plan.objects.filter(previous_version=plan).exists():
        raise ValidationError({"revision_of": _("该规划已有新版本，请修订最新版本")})


def run_extraction(import_id: int) -> dict:
    """The job body: extract the stored file and build the review draft."""
    from .extraction.api import extract_file
    from .extraction.errors import ExtractionError

    imp = PlanImport.objects.get(pk=import_id)
    if imp.status != ImportStatus.EXTRACTING:
        return {"status": imp.status}
    try:
        extraction = extract_file(imp.file.path)
        data = extraction.to_json()
        data["text"] = extraction.text
        draft = build_draft(data)
    except ExtractionError as exc:
        _fail(imp, exc.message)
        return {"status": ImportStatus.FAILED, "error": exc.message}
    except Exception:
        _fail(imp, _("识别过程中出现内部错误，请联系管理员"))
        raise
    with transaction.atomic():
        imp.extraction, imp.draft, imp.status, imp.error = data, draft, ImportStatus.REVIEW, ""
        imp.save(update_fields=["extraction", "draft", "status", "error", "updated_at"])
        events.emit(
            imp,
            "plans.extracted",
            _("识别完成"),
            tasks=len(draft["tasks"]),
            targets=len(draft["targets"]),
        )
        if imp.created_by is not None:
            notify.add_todo(
                _("审核规划导入：{name}").format(name=imp.file_name),
                user=imp.created_by,
                link=reverse("plans:import_review", args=[imp.pk]),
                kind="plans.review",
                obj=imp,
            )
    return {"status": ImportStatus.REVIEW, "tasks": len(draft["tasks"])}


def _fail(imp, message: str):
    with transaction.atomic():
        imp.status, imp.error = ImportStatus.FAILED, message
        imp.save(update_fields=["status", "error", "updated_at"])
        events.emit(imp, "plans.failed", _("识别失败"), error=message)


# ---------------------------------------------------------------- the draft
def _region_by_name(name: str):
    if not name:
        return None
    return Region.objects.filter(name=name).order_by("pk").first()


def build_draft(data: dict) -> dict:
    """The review draft from an extraction dict (``Extraction.to_json()`` plus ``text``)."""
    facts = data.get("facts") or {}
    period = facts.get("period") or [None, None]
    kind = facts.get("kind") or ""
    draft_facts = {
        "title": facts.get("title") or data.get("title") or "",
        "kind": kind if kind in PlanKind.values else PlanKind.OTHER,
        "is_draft": bool(facts.get("draft")),
        "region": facts.get("region") or data.get("region") or "",
        "issuers_text": "、".join(facts.get("issuers") or []),
        "doc_number": facts.get("doc_number") or "",
        "signed_date": facts.get("signed_date") or "",
        "posted_date": facts.get("posted_date") or "",
        "period_start": period[0] if period else None,
        "period_end": period[1] if period and len(period) > 1 else None,
        "default_year": facts.get("default_year"),
    }
    seq = 0
    tasks = []
    for task in data.get("tasks") or []:
        seq += 1
        lead = split_units(task.get("lead_units") or [])
        co = split_units(task.get("co_units") or [])
        units = split_units(task.get("units") or [])
        if not lead and units:
            lead, co = units[:1], [u for u in units[1:] if u not in co] + co
        co = [u for u in co if u not in lead]
        path = task.get("path") or []
        tasks.append(
            {
                "key": f"k{seq}",
                "number": task.get("number") or "",
                "parent_number": task.get("parent") or (path[-1] if path else ""),
                "title": task.get("title") or "",
                "body": (task.get("body") or "").lstrip("。.;；，, "),
                "deadline_text": task.get("deadline") or "",
                "lead": lead,
                "co": co,
                "span": list(task.get("span") or [0, 0]),
            }
        )
    targets = []
    for target in data.get("targets") or []:
        seq += 1
        value = target.get("value")
        value_high = None
        if isinstance(value, list):
            value, value_high = value[0], value[1] if len(value) > 1 else None
        span = list(target.get("span") or [0, 0])
        task_key = ""
        for task in tasks:
            if task["span"][0] <= span[0] < task["span"][1]:
                task_key = task["key"]
                break
        targets.append(
            {
                "key": f"k{seq}",
                "indicator": target.get("indicator") or "",
                "op": target.get("op") if target.get("op") in TargetOp.values else TargetOp.GE,
                "value": _num_text(value),
                "value_high": _num_text(value_high),
                "unit": target.get("unit") or "",
                "year": target.get("year"),
                "kind": target.get("kind")
                if target.get("kind") in TargetKind.values
                else TargetKind.LEVEL,
                "direction": target.get("direction")
                if target.get("direction") in Direction.values
                else Direction.UP,
                "base": target.get("base") or "",
                "task_key": task_key,
                "text": target.get("text") or "",
                "span": span,
            }
        )
    draft = {
        "facts": draft_facts,
        "tasks": tasks,
        "targets": targets,
        "units": {},
        "confirm_empty": False,
        "seq": seq,
    }
    _resolve_units(draft)
    return draft


def _resolve_units(draft: dict):
    """Give every unit name used by a task a resolution (kept where the reviewer decided)."""
    from qcity.core.naming import Resolver

    names = []
    for task in draft["tasks"]:
        for name in task["lead"] + task["co"]:
            if name not in names:
                names.append(name)
    known = draft.get("units") or {}
    missing = [n for n in names if n not in known]
    if missing:
        region = _region_by_name(draft["facts"].get("region", ""))
        resolver = Resolver(region)
        on = None
        try:
            on = _date(draft["facts"].get("signed_date"), "")
        except ValidationError:
            on = None
        for name in missing:
            res = resolver.resolve(name, on)
            unit = res.current or res.unit
            known[name] = {
                "status": res.status,
                "confidence": round(float(res.confidence or 0), 3),
                "unit_id": unit.pk if unit is not None else None,
                "unit_name": unit.name if unit is not None else "",
                "candidates": [[u.pk, u.name, float(c)] for u, c in res.candidates[:5]],
                "choice": str(unit.pk) if unit is not None and res.resolved else "",
                "confirmed": False,
            }
    draft["units"] = {n: known[n] for n in names}


def _editable(imp: PlanImport, user):
    if not PlanImport.objects.for_user(user, "change").filter(pk=imp.pk).exists():
        raise ValidationError(_("您无权审核该导入"))
    if imp.status != ImportStatus.REVIEW:
        raise ValidationError(
            _("该导入当前状态为“{status}”，不能再修改").format(status=imp.get_status_display())
        )


def _save_draft(imp: PlanImport, draft: dict, user, note: str):
    _resolve_units(draft)
    imp.draft = draft
    imp.save(update_fields=["draft", "updated_at"])
    audit.record(imp, ChangeAction.UPDATE, note=note, actor=user)


def _locked(imp: PlanImport) -> PlanImport:
    return PlanImport.objects.select_for_update().get(pk=imp.pk)


def _find(rows: list, key: str, label: str) -> int:
    for i, row in enumerate(rows):
        if row["key"] == key:
            return i
    raise ValidationError(_("{label}不存在，可能已被删除，请刷新页面").format(label=label))


def _next_key(draft: dict) -> str:
    draft["seq"] = int(draft.get("seq", 0)) + 1
    return f"k{draft['seq']}"


def update_facts(imp: PlanImport, data: dict, user) -> PlanImport:
    """Correct the document facts (title, kind, dates, period …)."""
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        draft = imp.draft
        facts = dict(draft["facts"])
        for name in FACT_FIELDS:
            if name in data:
                facts[name] = (data.get(name) or "").strip()
        if "is_draft" in data or "title" in data:
            facts["is_draft"] = str(data.get("is_draft", "")).lower() in ("1", "on", "true")
        label = _("文件信息")
        if not facts["title"]:
            raise ValidationError({"title": _("标题不能为空")})
        if facts["kind"] not in PlanKind.values:
            raise ValidationError({"kind": _("未知的文件类型")})
        for name, field_label in (("signed_date", _("成文日期")), ("posted_date", _("发布日期"))):
            _date(facts[name], field_label)
        start = _year(facts["period_start"], _("起始年份"), label)
        end = _year(facts["period_end"], _("截止年份"), label)
        facts["period_start"], facts["period_end"] = start, end
        facts["default_year"] = _year(facts["default_year"], _("默认目标年份"), label)
        if start and end and start > end:
            raise ValidationError({"period_end": _("截止年份不能早于起始年份")})
        if facts["region"] and _region_by_name(facts["region"]) is None:
            raise ValidationError({"region": _("区划“{name}”未登记").format(name=facts["region"])})
        draft["facts"] = facts
        _save_draft(imp, draft, user, _("修改文件信息"))
    return imp


def _clean_task(row: dict, data: dict, position: int) -> dict:
    row = dict(row)
    for name in TASK_FIELDS:
        if name in data:
            row[name] = (data.get(name) or "").strip()
    if "lead" in data:
        row["lead"] = split_units(data.get("lead"))
    if "co" in data:
        row["co"] = split_units(data.get("co"))
    row["co"] = [u for u in row["co"] if u not in row["lead"]]
    if not row["title"]:
        raise ValidationError(_("第{n}行任务：任务名称不能为空").format(n=position))
    if len(row["title"]) > 500:
        raise ValidationError(_("第{n}行任务：任务名称过长（最多500字）").format(n=position))
    if len(row["number"]) > 20:
        raise ValidationError(_("第{n}行任务：编号过长").format(n=position))
    return row


def _clean_target(row: dict, data: dict, position: int) -> dict:
    row = dict(row)
    for name in TARGET_FIELDS + ("task_key",):
        if name in data:
            value = data.get(name)
            row[name] = value.strip() if isinstance(value, str) else value
    label = _("第{n}行目标").format(n=position)
    if not row["indicator"]:
        raise ValidationError(_("{row}：指标名称不能为空").format(row=label))
    if row["op"] not in TargetOp.values:
        raise ValidationError(_("{row}：未知的比较方式").format(row=label))
    if row["kind"] not in TargetKind.values:
        raise ValidationError(_("{row}：未知的目标类型").format(row=label))
    if row["direction"] not in Direction.values:
        raise ValidationError(_("{row}：未知的方向").format(row=label))
    value = _decimal(row["value"], _("目标值"), label)
    high = _decimal(row.get("value_high"), _("目标值上限"), label, required=False)
    if row["op"] == TargetOp.RANGE:
        if high is None:
            raise ValidationError(_("{row}：区间目标需要填写上限").format(row=label))
        if high <= value:
            raise ValidationError(_("{row}：区间上限应大于下限").format(row=label))
    else:
        high = None
    row["value"], row["value_high"] = _num_text(value), _num_text(high)
    row["year"] = _year(row.get("year"), _("目标年份"), label)
    if len(row["unit"] or "") > 20:
        raise ValidationError(_("{row}：单位过长").format(row=label))
    return row


def update_row(imp: PlanImport, kind: str, key: str, data: dict, user) -> PlanImport:
    """Correct one task row (kind "task") or target row (kind "target")."""
    rows_name, label = _rows(kind)
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        draft = imp.draft
        rows = draft[rows_name]
        i = _find(rows, key, label)
        clean = _clean_task if kind == "task" else _clean_target
        rows[i] = clean(rows[i], data, i + 1)
        _save_draft(imp, draft, user, _("修改{label}第{n}行").format(label=label, n=i + 1))
    return imp


def _rows(kind: str):
    if kind == "task":
        return "tasks", _("任务")
    if kind == "target":
        return "targets", _("目标")
    raise ValidationError(_("未知的行类型"))


def add_row(imp: PlanImport, kind: str, data: dict, user, after: str = "") -> PlanImport:
    """Add a task or target the extractor missed (after row ``after``, or at the end)."""
    rows_name, label = _rows(kind)
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        draft = imp.draft
        rows = draft[rows_name]
        position = _find(rows, after, label) + 1 if after else len(rows)
        if kind == "task":
            blank = {
                "number": "",
                "parent_number": "",
                "title": "",
                "body": "",
                "deadline_text": "",
                "lead": [],
                "co": [],
                "span": [0, 0],
            }
            row = _clean_task(blank, data, position + 1)
        else:
            blank = {
                "indicator": "",
                "op": TargetOp.GE,
                "value": "",
                "value_high": "",
                "unit": "",
                "year": draft["facts"].get("default_year"),
                "kind": TargetKind.LEVEL,
                "direction": Direction.UP,
                "base": "",
                "task_key": "",
                "text": "",
                "span": [0, 0],
            }
            row = _clean_target(blank, data, position + 1)
        row["key"] = _next_key(draft)
        rows.insert(position, row)
        _save_draft(imp, draft, user, _("新增{label}").format(label=label))
    return imp


def drop_row(imp: PlanImport, kind: str, key: str, user) -> PlanImport:
    rows_name, label = _rows(kind)
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        draft = imp.draft
        rows = draft[rows_name]
        i = _find(rows, key, label)
        rows.pop(i)
        if kind == "task":
            for target in draft["targets"]:
                if target.get("task_key") == key:
                    target["task_key"] = ""
        _save_draft(imp, draft, user, _("删除{label}第{n}行").format(label=label, n=i + 1))
    return imp


def split_row(imp: PlanImport, kind: str, key: str, user, second: str = "") -> PlanImport:
    """Split one row into two: the second takes ``second`` as its title (task) or indicator
    (target); without it the title is cut at its first 、；, and the copy keeps the units."""
    rows_name, label = _rows(kind)
    name_field = "title" if kind == "task" else "indicator"
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        draft = imp.draft
        rows = draft[rows_name]
        i = _find(rows, key, label)
        first = dict(rows[i])
        second = (second or "").strip()
        if not second:
            parts = re.split(r"[；;，,、]", first[name_field], maxsplit=1)
            if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
                raise ValidationError(
                    _("第{n}行{label}无法自动拆分，请填写拆分出的新名称").format(
                        n=i + 1, label=label
                    )
                )
            first[name_field], second = parts[0].strip(), parts[1].strip()
        copy = dict(first)
        copy[name_field] = second
        copy["key"] = _next_key(draft)
        if kind == "task":
            copy["number"] = ""
            copy["lead"], copy["co"] = list(first["lead"]), list(first["co"])
        rows[i] = first
        rows.insert(i + 1, copy)
        _save_draft(imp, draft, user, _("拆分{label}第{n}行").format(label=label, n=i + 1))
    return imp


def merge_with_next(imp: PlanImport, kind: str, key: str, user) -> PlanImport:
    """Merge the next row into this one (a task the extractor cut in two)."""
    rows_name, label = _rows(kind)
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        draft = imp.draft
        rows = draft[rows_name]
        i = _find(rows, key, label)
        if i + 1 >= len(rows):
            raise ValidationError(_("最后一行没有可合并的下一行"))
        first, nxt = dict(rows[i]), rows[i + 1]
        if kind == "task":
            first["body"] = "\n".join(p for p in (first["body"], nxt["title"], nxt["body"]) if p)
            first["lead"] = split_units(first["lead"] + nxt["lead"])
            first["co"] = [
                u for u in split_units(first["co"] + nxt["co"]) if u not in first["lead"]
            ]
            first["deadline_text"] = first["deadline_text"] or nxt["deadline_text"]
            for target in draft["targets"]:
                if target.get("task_key") == nxt["key"]:
                    target["task_key"] = first["key"]
        else:
            first["text"] = "；".join(p for p in (first["text"], nxt["text"]) if p)
        spans = [s for s in (first.get("span"), nxt.get("span")) if s and s[1] > s[0]]
        if spans:
            first["span"] = [min(s[0] for s in spans), max(s[1] for s in spans)]
        rows[i] = first
        rows.pop(i + 1)
        _save_draft(imp, draft, user, _("合并{label}第{n}行").format(label=label, n=i + 1))
    return imp


def set_unit(imp: PlanImport, written: str, choice: str, user) -> PlanImport:
    """Confirm how a unit name as written resolves: a registered unit's id, or "new"."""
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        draft = imp.draft
        entry = draft["units"].get(written)
        if entry is None:
            raise ValidationError(_("单位名称“{name}”不在本文件中").format(name=written))
        choice = (choice or "").strip()
        if choice == "new":
            if not written.strip() or len(written) > 200:
                raise ValidationError(_("“{name}”不能作为新单位名称").format(name=written))
        else:
            unit = OrgUnit.objects.filter(pk=choice).first() if choice.isdigit() else None
            if unit is None:
                raise ValidationError(
                    _("请为“{name}”选择一个已登记的单位，或选择新建单位").format(name=written)
                )
            entry["unit_id"], entry["unit_name"] = unit.pk, unit.name
        entry["choice"], entry["confirmed"] = choice, True
        _save_draft(imp, draft, user, _("确认单位“{name}”").format(name=written))
    return imp


def auto_confirm_units(imp: PlanImport, user) -> int:
    """Confirm every exact and alias resolution at once; fuzzy and unresolved names stay open."""
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        draft = imp.draft
        count = 0
        for entry in draft["units"].values():
            if entry["status"] in ("exact", "alias") and not entry["confirmed"]:
                entry["choice"], entry["confirmed"] = str(entry["unit_id"]), True
                count += 1
        if count:
            _save_draft(imp, draft, user, _("确认精确匹配的单位"))
    return count


def set_options(imp: PlanImport, user, role: str | None = None, confirm_empty=None):
    """Mark the plan's role (ours / reference) and the "confirm empty plan" tick."""
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        if role is not None:
            if role not in PlanRole.values:
                raise ValidationError({"role": _("未知的规划用途")})
            imp.role = role
        if confirm_empty is not None:
            imp.draft["confirm_empty"] = bool(confirm_empty)
        imp.save(update_fields=["role", "draft", "updated_at"])
        audit.record(imp, ChangeAction.UPDATE, note=_("修改导入选项"), actor=user)
    return imp


def discard_import(imp: PlanImport, user) -> PlanImport:
    with transaction.atomic():
        imp = _locked(imp)
        if not PlanImport.objects.for_user(user, "change").filter(pk=imp.pk).exists():
            raise ValidationError(_("您无权处理该导入"))
        if imp.status == ImportStatus.IMPORTED:
            raise ValidationError(_("已导入的文件不能放弃，请作废导入后的规划"))
        imp.status = ImportStatus.DISCARDED
        imp.save(update_fields=["status", "updated_at"])
        audit.record(imp, ChangeAction.UPDATE, note=_("放弃导入"), actor=user)
        events.emit(imp, "plans.discarded", _("放弃导入"), actor=user)
        notify.close_todos(imp)
    return imp


# ---------------------------------------------------------------- versions
def _task_match_score(old: Task, row: dict, same_number_min: float, title_min: float) -> float:
    sim = similarity(old.title, row["title"])
    if old.number and fold_number(old.number) == fold_number(row["number"]):
        return sim + 1.0 if sim >= same_number_min else 0.0
    return sim if sim >= title_min else 0.0


def compute_diff(imp: PlanImport) -> dict | None:
    """What a revised version changes against the plan it replaces (None for a first version).

    Tasks match by number and title similarity (greedy, best pair first); targets by
    indicator and year. Returns added / removed / changed / kept lists and the ``lineage``
    each kept draft row inherits.
    """
    old_plan = imp.revision_of
    if old_plan is None:
        return None
    draft = imp.draft
    same_number_min = float(rulebook.value("plans.match.same_number_similarity"))
    title_min = float(rulebook.value("plans.match.title_similarity"))
    old_tasks = list(old_plan.tasks.filter(is_void=False).prefetch_related("responsibilities"))
    rows = draft["tasks"] if imp.role == PlanRole.OURS else []
    pairs = []
    for old in old_tasks:
        for row in rows:
            score = _task_match_score(old, row, same_number_min, title_min)
            if score > 0:
                pairs.append((score, old.pk, row["key"], old, row))
    pairs.sort(key=lambda p: -p[0])
    used_old, used_new, task_matches = set(), set(), []
    for _score, old_pk, key, old, row in pairs:
        if old_pk in used_old or key in used_new:
            continue
        used_old.add(old_pk)
        used_new.add(key)
        task_matches.append((old, row))
    lineage = {}
    tasks = {"added": [], "removed": [], "changed": [], "kept": []}
    for old, row in task_matches:
        lineage[row["key"]] = str(old.lineage)
        changes = _task_changes(old, row)
        (tasks["changed"] if changes else tasks["kept"]).append(
            {"old": old, "row": row, "changes": changes}
        )
    tasks["added"] = [r for r in rows if r["key"] not in used_new]
    tasks["removed"] = [t for t in old_tasks if t.pk not in used_old]

    old_targets = list(plan_level_targets(old_plan))
    by_key = {}
    for target in old_targets:
        by_key.setdefault((fold_indicator(target.indicator_text), target.year), []).append(target)
    targets = {"added": [], "removed": [], "changed": [], "kept": []}
    matched_old = set()
    for row in draft["targets"]:
        candidates = [
            t
            for t in by_key.get((fold_indicator(row["indicator"]), row.get("year")), [])
            if t.pk not in matched_old
        ]
        if not candidates:
            targets["added"].append(row)
            continue
        old = candidates[0]
        matched_old.add(old.pk)
        lineage[row["key"]] = str(old.lineage)
        changes = _target_changes(old, row)
        (targets["changed"] if changes else targets["kept"]).append(
            {"old": old, "row": row, "changes": changes}
        )
    targets["removed"] = [t for t in old_targets if t.pk not in matched_old]
    return {"tasks": tasks, "targets": targets, "lineage": lineage, "old": old_plan}


def plan_level_targets(plan: Plan):
    """The plan's own targets, without per-district shares decomposed from them later."""
    from django.db.models import Q

    return plan.targets.filter(is_void=False).filter(
        Q(region__isnull=True) | Q(region_id=plan.region_id)
    )


def _task_changes(old: Task, row: dict) -> list[tuple[str, str, str]]:
    changes = []
    lead_old = [r.name_as_written for r in old.responsibilities.all() if r.role == "lead"]
    co_old = [r.name_as_written for r in old.responsibilities.all() if r.role == "co"]
    for label, before, after in (
        (_("编号"), old.number, row["number"]),
        (_("任务"), old.title, row["title"]),
        (_("牵头单位"), "、".join(lead_old), "、".join(row["lead"])),
        (_("配合单位"), "、".join(co_old), "、".join(row["co"])),
        (_("完成时限"), old.deadline_text, row["deadline_text"]),
    ):
        if (before or "") != (after or ""):
            changes.append((label, before or "—", after or "—"))
    return changes


def _target_changes(old: Target, row: dict) -> list[tuple[str, str, str]]:
    changes = []
    old_high = _num_text(old.value_high) if old.value_high is not None else ""
    for label, before, after in (
        (_("比较方式"), old.get_op_display(), str(TargetOp(row["op"]).label)),
        (_("目标值"), _num_text(old.value), row["value"]),
        (_("目标值上限"), old_high, row.get("value_high") or ""),
        (_("单位"), old.unit, row["unit"]),
        (_("目标类型"), old.get_kind_display(), str(TargetKind(row["kind"]).label)),
    ):
        if (before or "") != (after or ""):
            changes.append((label, before or "—", after or "—"))
    return changes


# ---------------------------------------------------------------- import
def import_problems(imp: PlanImport) -> list[str]:
    """What still blocks the import (shown on the review page, enforced by import_plan)."""
    problems = []
    draft = imp.draft or {}
    tasks = draft.get("tasks", []) if imp.role == PlanRole.OURS else []
    if not (draft.get("facts") or {}).get("title"):
        problems.append(_("标题不能为空"))
    if not tasks and not draft.get("targets") and not draft.get("confirm_empty"):
        problems.append(_("该文件没有识别出任务或目标，请勾选“确认导入空规划”后再导入"))
    if imp.role == PlanRole.OURS:
        open_names = [n for n, e in (draft.get("units") or {}).items() if not e.get("confirmed")]
        if len(open_names) > 8:
            problems.append(
                _("有{n}个单位名称尚未确认：{names}等").format(
                    n=len(open_names), names="、".join(open_names[:8])
                )
            )
        elif open_names:
            problems.append(_("以下单位名称尚未确认：{names}").format(names="、".join(open_names)))
    if imp.revision_of is not None:
        try:
            _check_revisable(imp.revision_of)
        except ValidationError as exc:
            problems.extend(exc.messages)
    return problems


def import_plan(imp: PlanImport, user) -> Plan:
    """Create the Plan and everything in it from the reviewed draft: whole or nothing."""
    with transaction.atomic():
        imp = _locked(imp)
        _editable(imp, user)
        problems = import_problems(imp)
        if problems:
            raise ValidationError(problems)
        draft = imp.draft
        facts = draft["facts"]
        diff = compute_diff(imp)
        lineage = diff["lineage"] if diff else {}
        region = _region_by_name(facts.get("region", ""))
        old = imp.revision_of
        plan = core_services.create_object(
            Plan,
            {
                "title": facts["title"][:300],
                "kind": facts["kind"],
                "role": imp.role,
                "is_draft": bool(facts.get("is_draft")),
                "region": region,
                "issuers_text": (facts.get("issuers_text") or "")[:300],
                "doc_number": (facts.get("doc_number") or "")[:100],
                "signed_date": _date(facts.get("signed_date"), _("成文日期")),
                "posted_date": _date(facts.get("posted_date"), _("发布日期")),
                "period_start": facts.get("period_start"),
                "period_end": facts.get("period_end"),
                "default_year": facts.get("default_year"),
                "source_text": (imp.extraction or {}).get("text", ""),
                "source_sha256": imp.sha256,
                "version": (old.version + 1) if old else 1,
                "previous_version": old,
                "aligned_to": old.aligned_to if old else None,
            },
            user,
            note=_("由文件“{name}”导入").format(name=imp.file_name),
        )
        issuers = _issuer_units(facts.get("issuers_text", ""), region)
        if issuers:
            plan.issuers.set(issuers)
        sections = _create_sections(plan, (imp.extraction or {}).get("sections") or [])
        task_by_key = {}
        if imp.role == PlanRole.OURS:
            units = _units_for(draft, region, user)
            task_by_key = _create_tasks(plan, draft["tasks"], units, sections, lineage, user)
        _create_targets(plan, draft["targets"], task_by_key, sections, region, lineage, user)
        if old is not None:
            core_services.update_object(old, {"is_current": False}, user, note=_("已被新版本取代"))
            events.emit(old, "plans.superseded", _("被新版本取代"), actor=user, new=plan.pk)
        imp.status, imp.plan = ImportStatus.IMPORTED, plan
        imp.save(update_fields=["status", "plan", "updated_at"])
        audit.record(imp, ChangeAction.UPDATE, note=_("导入为规划"), actor=user)
        events.emit(imp, "plans.imported", _("导入为规划"), actor=user, plan=plan.pk)
        events.emit(
            plan,
            "plans.imported",
            _("导入规划（第{v}版）").format(v=plan.version),
            actor=user,
            tasks=len(task_by_key),
            targets=len(draft["targets"]),
        )
        notify.close_todos(imp)
    return plan


def _issuer_units(text: str, region):
    from qcity.core.naming import Resolver

    names = split_units(text)
    if not names:
        return []
    resolver = Resolver(region)
    found = []
    for name in names:
        res = resolver.resolve(name)
        if res.resolved and res.current is not None:
            found.append(res.current)
    return found


def _create_sections(plan: Plan, sections: list[dict]) -> list[tuple[int, int, int, Section]]:
    """Sections in document order; returns (start, end, level, Section) for span lookups."""
    created = []
    by_index = {}
    for i, data in enumerate(sections):
        span = data.get("span") or [0, 0]
        parent = by_index.get(data.get("parent"))
        section = Section.objects.create(
            plan=plan,
            parent=parent,
            number=(data.get("number") or "")[:20],
            title=(data.get("title") or "")[:500] or "—",
            level=int(data.get("level") or 1),
            role=(data.get("role") or "work")[:12],
            start=max(0, int(span[0])),
            end=max(0, int(span[1])),
            order=i,
        )
        by_index[i] = section
        created.append((section.start, section.end, section.level, section))
    return created


def _section_at(sections, position, strict=False):
    """The deepest section containing ``position``; ``strict`` skips a section starting there
    (a numbered task item is itself a section: its task belongs to the heading above)."""
    best = None
    for start, end, level, section in sections:
        inside = start < position if strict else start <= position
        if inside and position < end and (best is None or level >= best[0]):
            best = (level, section)
    return best[1] if best else None


def _units_for(draft: dict, region, user) -> dict:
    """Written name → OrgUnit, creating the units the reviewer marked "new"."""
    units, wanted = {}, {}
    for name, entry in draft["units"].items():
        if entry["choice"] == "new":
            existing = OrgUnit.objects.filter(name=name).first()
            if existing is None:
                existing = core_services.create_unit(
                    {
                        "name": name,
                        "short_name": name[:100],
                        "kind": UnitKind.DEPARTMENT,
                        "region": region or Region.objects.filter(parent=None).first(),
                    },
                    user,
                )
            units[name] = existing
        else:
            wanted[name] = int(entry["choice"])
    found = OrgUnit.objects.in_bulk(set(wanted.values()))
    for name, pk in wanted.items():
        if pk not in found:
            raise ValidationError(_("单位“{name}”选择的登记单位已不存在").format(name=name))
        units[name] = found[pk]
    return units


def _create_tasks(plan, rows, units, sections, lineage, user) -> dict:
    default_year = plan.default_year or plan.period_end
    created = {}
    for order, row in enumerate(rows):
        row = _clean_task(row, {}, order + 1)
        lead = [units[n] for n in row["lead"]]
        span = row.get("span") or [0, 0]
        data = {
            "plan": plan,
            "section": _section_at(sections, span[0], strict=True) if span[1] > span[0] else None,
            "number": row["number"],
            "parent_number": (row.get("parent_number") or "")[:20],
            "title": row["title"],
            "body": row["body"],
            "deadline_text": row["deadline_text"][:100],
            "deadline": parse_deadline(row["deadline_text"], default_year),
            "lead_unit": lead[0] if lead else None,
            "order": order,
        }
        task = core_services.create_object(Task, data, user)
        if row["key"] in lineage:
            Task.objects.filter(pk=task.pk).update(lineage=uuid.UUID(lineage[row["key"]]))
        responsibilities = [
            Responsibility(
                task=task,
                unit=units[name],
                name_as_written=name[:200],
                role=ResponsibilityRole.LEAD,
                order=i,
            )
            for i, name in enumerate(row["lead"])
        ] + [
            Responsibility(
                task=task,
                unit=units[name],
                name_as_written=name[:200],
                role=ResponsibilityRole.CO,
                order=len(row["lead"]) + i,
            )
            for i, name in enumerate(row["co"])
        ]
        Responsibility.objects.bulk_create(responsibilities)
        created[row["key"]] = task
    return created


def _create_targets(plan, rows, task_by_key, sections, region, lineage, user):
    for order, row in enumerate(rows):
        row = _clean_target(row, {}, order + 1)
        span = row.get("span") or [0, 0]
        has_span = span[1] > span[0]
        data = {
            "plan": plan,
            "task": task_by_key.get(row.get("task_key") or ""),
            "section": _section_at(sections, span[0]) if has_span else None,
            "indicator_text": row["indicator"][:300],
            "op": row["op"],
            "value": Decimal(row["value"]),
            "value_high": Decimal(row["value_high"]) if row["value_high"] else None,
            "unit": row["unit"],
            "year": row["year"],
            "kind": row["kind"],
            "direction": row["direction"],
            "base_text": (row.get("base") or "")[:50],
            "region": region,
            "text": row.get("text") or "",
            "span_start": span[0] if has_span else None,
            "span_end": span[1] if has_span else None,
            "order": order,
        }
        target = core_services.create_object(Target, data, user)
        if row["key"] in lineage:
            Target.objects.filter(pk=target.pk).update(lineage=uuid.UUID(lineage[row["key"]]))


# ---------------------------------------------------------------- review page data
def highlighted_segments(imp: PlanImport) -> list[tuple[str, str]]:
    """The source text cut into (css class, text) pieces: "target", "unit" or "" (plain)."""
    text = (imp.extraction or {}).get("text", "")
    draft = imp.draft or {}
    marks = []
    for row in draft.get("targets", []):
        start, end = (row.get("span") or [0, 0])[:2]
        if 0 <= start < end <= len(text):
            marks.append((start, end, "target"))
    for row in draft.get("tasks", []):
        start, end = (row.get("span") or [0, 0])[:2]
        if not (0 <= start < end <= len(text)):
            continue
        body = text[start:end]
        for name in row["lead"] + row["co"]:
            for m in re.finditer(re.escape(name), body):
                marks.append((start + m.start(), start + m.end(), "unit"))
    marks.sort()
    pieces, cursor = [], 0
    for start, end, css in marks:
        if start < cursor:
            continue
        if start > cursor:
            pieces.append(("", text[cursor:start]))
        pieces.append((css, text[start:end]))
        cursor = end
    if cursor < len(text):
        pieces.append(("", text[cursor:]))
    return pieces
