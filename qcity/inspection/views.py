"""Inspection pages beyond the generated ones. Views parse input, check permission through
the scoped queryset and call services (PATTERNS.md 5, 6)."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qcity.core import uploads
from qcity.core.documents import OfficialDocument, cell_value
from qcity.core.models import ExportLog, Region
from qcity.core.personal import mask
from qcity.core.registry import get
from qcity.core.scopes import CHANGE
from qcity.core.views import get_scoped_object

from . import dashboard, services
from . import draw as drawlib
from .choices import Channel, Conclusion, Level, SampleType, Stage, TaskStatus
from .models import (
    DisposalCase,
    InspectionRecord,
    RandomInspectionTask,
    Sample,
    SamplingPlan,
)
from .services.draws import source_of


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# ---------------------------------------------------------------- home panel
def home_panel(request):
    if not request.user.is_authenticated:
        return None
    cases = DisposalCase.objects.for_user(request.user).exclude(
        stage__in=[Stage.CLOSED, Stage.OVERTURNED]
    )
    counts = cases.aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due__lt=timezone.localdate()))
    )
    return {
        "title": _("抽检核查处置"),
        "template": "inspection/_home_panel.html",
        "open": counts["open"],
        "overdue": counts["overdue"],
        "link": reverse("inspection:disposalcase_list"),
        "stats": reverse("inspection:stats"),
    }


# ---------------------------------------------------------------- draws
@login_required
def task_panel(request, pk):
    task = get_scoped_object(get(RandomInspectionTask), request.user, pk)
    context = {"task": task, "can_change": _can_change(request.user, task)}
    if task.status == TaskStatus.DRAFT:
        context["preview"] = services.preview(task)
        context["formats"] = list(drawlib.FORMATS.values())
    else:
        context["entries"] = (
            task.entries.select_related("enterprise").prefetch_related("inspectors__user")
            if task.status == TaskStatus.DRAWN
            else []
        )
    return render(request, "inspection/_task_panel.html", context)


def _can_change(user, obj):
    from qcity.core.scopes import can

    return can(user, obj, CHANGE)


@login_required
@require_POST
def task_commit(request, pk):
    task = get_scoped_object(get(RandomInspectionTask), request.user, pk, CHANGE)
    try:
        services.commit_task(
            task,
            request.user,
            source_name=request.POST.get("source_name", ""),
            source_issue=request.POST.get("source_issue", ""),
            source_format=request.POST.get("source_format", ""),
            available_at=_local_moment(request.POST.get("source_available_at", "")),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("抽取承诺已公布，请在公开随机数产生后录入"))
    return redirect("inspection:randominspectiontask_detail", pk=pk)


def _local_moment(text: str):
    """A ``datetime-local`` form value (Beijing time) as an aware datetime; None if unreadable."""
    text = (text or "").strip()
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return timezone.make_aware(datetime.datetime.strptime(text, fmt))  # noqa: DTZ007 local form input
        except ValueError:
            continue
    return None


@login_required
@require_POST
def task_public_value(request, pk):
    task = get_scoped_object(get(RandomInspectionTask), request.user, pk, CHANGE)
    try:
        services.enter_public_value(
            task, request.POST.get("public_value", ""), request.POST.get("source", ""), request.user
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("抽取完成，结果已公开"))
    return redirect("inspection:randominspectiontask_detail", pk=pk)


# ---------------------------------------------------------------- records
@login_required
@require_POST
def record_publish(request, pk):
    record = get_scoped_object(get(InspectionRecord), request.user, pk, CHANGE)
    try:
        services.publish_record(record, request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("检查结果已公示"))
    return redirect("inspection:inspectionrecord_detail", pk=pk)


GSXT_COLUMNS = [
    "统一社会信用代码",
    "企业名称",
    "抽查类型",
    "抽查计划编号",
    "抽查任务名称",
    "抽查机关",
    "检查实施机关",
    "检查完成日期",
    "检查结果",
    "检查事项",
    "公示日期",
]


def gsxt_rows(records):
    for r in records:
        items = r.task.item_list.item_lines() if r.task.item_list_id else []
        yield [
            r.enterprise.credit_code or "",
            r.enterprise.name,
            "双随机抽查",
            f"QC-{r.task_id:06d}",
            r.task.name,
            r.task.unit.name,
            "、".join(sorted({r.task.unit.name, *[u.name for u in r.task.joint_units.all()]})),
            r.inspected_on.isoformat(),
            r.get_outcome_display(),
            "；".join(items),
            timezone.localtime(r.published_at).date().isoformat() if r.published_at else "",
        ]


@login_required
def records_gsxt_csv(request):
    records = (
        InspectionRecord.objects.for_user(request.user)
        .filter(is_public=True, is_void=False)
        .select_related("enterprise", "task__unit", "task__item_list")
        .prefetch_related("task__joint_units")
        .order_by("task_id", "pk")
    )
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([cell_value(c) for c in GSXT_COLUMNS])
    rows = list(gsxt_rows(records))
    writer.writerows([[cell_value(v) for v in row] for row in rows])  # formulas made inert
    ExportLog.objects.create(
        user=request.user, what="抽查检查结果（公示系统格式）", format="csv", rows=len(rows)
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="gsxt-inspection-results.csv"'
    return response


# ---------------------------------------------------------------- plans, import
@login_required
def plan_overlaps(request, pk):
    plan = get_scoped_object(get(SamplingPlan), request.user, pk)
    return render(
        request,
        "inspection/_plan_overlaps.html",
        {"plan": plan, "overlaps": services.plan_overlaps(plan)},
    )


@login_required
def plan_import(request, pk):
    plan = get_scoped_object(get(SamplingPlan), request.user, pk, CHANGE)
    report = None
    error = ""
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            error = _("请选择要导入的文件")
        else:
            try:
                report = services.import_results(
                    plan,
                    uploaded.name,
                    uploads.read_limited(uploaded, services.RESULT_KINDS),  # one upload path
                    request.user,
                    create_unmatched=request.POST.get("create_unmatched") == "on",
                )
            except ValidationError as exc:
                error = _errors(exc)
    return _import_page(request, plan, report, error)


def _import_page(request, plan, report, error):
    """The import page after an upload or a review: 400 when anything was refused."""
    return render(
        request,
        "inspection/plan_import.html",
        {"plan": plan, "report": report, "error": error, "runs": plan.imports.all()[:10]},
        status=400 if error or (report and report.errors) else 200,
    )


@login_required
@require_POST
def plan_import_review(request, pk, run_pk):
    """The clerk confirms the categories of rows held for review; those rows are imported."""
    from .models import ResultImport
    from .services.imports import import_reviewed

    plan = get_scoped_object(get(SamplingPlan), request.user, pk, CHANGE)
    run = get_object_or_404(ResultImport, pk=run_pk, plan=plan)
    confirmed = {}
    for key, code in request.POST.items():
        if key.startswith("category_") and code.strip():
            try:
                confirmed[int(key.removeprefix("category_"))] = code.strip()
            except ValueError:
                continue
    report, error = None, ""
    if not confirmed:
        error = _("请为待确认的行选择类别")
    else:
        try:
            report = import_reviewed(run, confirmed, request.user)
        except ValidationError as exc:
            error = _errors(exc)
    return _import_page(request, plan, report, error)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def plan_bulk_import(request, pk):
    """Large result files (CSV/.xlsx in the template's columns), imported set-based as a job."""
    plan = get_scoped_object(get(SamplingPlan), request.user, pk, CHANGE)
    if request.GET.get("template"):
        response = HttpResponse(services.bulk_template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="bulk-results-template.xlsx"'
        return response
    error = ""
    if request.method == "POST":
        try:
            run = services.start_bulk_import(plan, request.FILES.get("file"), request.user)
        except ValidationError as exc:
            error = _errors(exc)
        else:
            return redirect("inspection:bulk_run", pk=run.pk)
    runs = plan.imports.filter(kind="bulk").select_related("job", "created_by")[:10]
    return render(
        request,
        "inspection/plan_bulk_import.html",
        {"plan": plan, "error": error, "runs": runs},
        status=400 if error else 200,
    )


@login_required
def bulk_run(request, pk):
    from .models import ResultImport

    run = get_object_or_404(ResultImport.objects.select_related("plan", "job"), pk=pk, kind="bulk")
    get_scoped_object(get(SamplingPlan), request.user, run.plan_id)  # 404 out of scope
    if request.GET.get("report") == "errors":
        response = HttpResponse(services.bulk_error_report(run), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="bulk-import-{run.pk}-errors.xlsx"'
        return response
    template = "inspection/_bulk_run.html" if request.htmx else "inspection/bulk_run.html"
    return render(request, template, {"run": run, "job": run.job, "plan": run.plan})


# ---------------------------------------------------------------- samples
def parse_item_lines(text: str) -> list[services.ItemInput]:
    items = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        parts += [""] * (4 - len(parts))
        items.append(services.ItemInput(parts[0], parts[1], parts[2], parts[3]))
    return items


@login_required
def sample_result(request, pk):
    sample = get_scoped_object(get(Sample), request.user, pk, CHANGE)
    error = ""
    text = ""
    if request.method == "POST":
        text = request.POST.get("items", "")
        try:
            reported = request.POST.get("reported_on") or None
            reported_on = datetime.date.fromisoformat(reported) if reported else None
            services.record_result(sample, parse_item_lines(text), request.user, reported_on)
        except ValueError:
            error = _("报告日期格式应为YYYY-MM-DD")
        except ValidationError as exc:
            error = _errors(exc)
        else:
            messages.success(request, _("检验结论已录入"))
            return redirect("inspection:sample_detail", pk=pk)
    return render(
        request,
        "inspection/sample_result.html",
        {"sample": sample, "error": error, "text": text},
        status=400 if error else 200,
    )


@login_required
def sample_items(request, pk):
    sample = get_scoped_object(get(Sample), request.user, pk)
    return render(
        request, "inspection/_sample_items.html", {"sample": sample, "items": sample.items.all()}
    )


def _qr_svg(text: str) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=3, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("utf-8")


@login_required
def sample_form(request, pk):
    """抽样单 (printable) with a QR code carrying the sample number and its page."""
    sample = get_scoped_object(get(Sample), request.user, pk)
    url = request.build_absolute_uri(reverse("inspection:sample_detail", args=[sample.pk]))
    return render(
        request,
        "inspection/sample_form.html",
        {"sample": sample, "qr": _qr_svg(f"{sample.number} {url}")},
    )


# ---------------------------------------------------------------- disposal
@login_required
@require_POST
def case_act(request, pk):
    case = get_scoped_object(get(DisposalCase), request.user, pk, CHANGE)
    action = request.POST.get("action", "")
    data = {}
    if "passed" in request.POST:
        data["passed"] = request.POST["passed"] == "1"
    for key in ("penalty_case_no", "evidence", "shelf_life_end"):
        if request.POST.get(key):
            data[key] = request.POST[key]
    try:
        on = request.POST.get("on")
        services.act(
            case, action, request.user, datetime.date.fromisoformat(on) if on else None, **data
        )
    except ValueError:
        messages.error(request, _("日期格式应为YYYY-MM-DD"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已办理"))
    return redirect("inspection:disposalcase_detail", pk=pk)


@login_required
def case_notice(request, pk, kind):
    case = get_scoped_object(get(DisposalCase), request.user, pk)
    sample = case.sample
    producer = sample.producer.name if sample.producer else _("（未登记）")
    if kind == "result":
        doc = OfficialDocument(_("检验结果通知书"))
        doc.paragraph(
            _("{producer}：").format(
                producer=sample.sampled_unit.name if sample.sampled_unit else producer
            ),
            indent=False,
        )
        doc.paragraph(
            _(
                "我局于{date}对你单位的“{product}”（规格型号：{spec}，生产日期/批号：{batch}）进行了{type}，"
                "样品编号{number}。经{lab}检验，结论为不合格，不合格项目如下。"
            ).format(
                date=sample.sampled_on,
                product=sample.product_name,
                spec=sample.spec or "/",
                batch=sample.batch or sample.production_date or "/",
                type=sample.get_sample_type_display(),
                number=sample.number,
                lab=sample.lab or _("承检机构"),
            )
        )
        doc.table(
            [_("检验项目"), _("检验结果"), _("标准值"), _("单项判定")],
            [
                [i.item, i.value_text, i.limit_text, i.get_verdict_display()]
                for i in sample.items.all()
            ],
        )
        # the obligations and the 复检 period as the rule table has them (with their sources)
        for text in services.notice_paragraphs(case):
            doc.paragraph(text)
        name = "jianyan-jieguo-tongzhishu"
    elif kind == "rectify":
        doc = OfficialDocument(_("责令整改通知书"))
        doc.paragraph(_("{producer}：").format(producer=producer), indent=False)
        doc.paragraph(
            _(
                "你单位生产的“{product}”（样品编号{number}）经抽检不合格。现责令你单位立即停止生产、销售同一产品，"
                "查明原因并于{due}前完成整改，整改完成后向我局报送整改报告。"
            ).format(
                product=sample.product_name,
                number=sample.number,
                due=case.rectification_due or case.due or "—",
            )
        )
        name = "zeling-zhenggai-tongzhishu"
    else:
        raise Http404
    doc.signature(case.unit.name, timezone.localdate().strftime("%Y年%m月%d日"))
    response = HttpResponse(
        doc.to_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{sample.number}.docx"'
    return response


# ---------------------------------------------------------------- statistics
def _stats_params(request) -> dict:
    params = {
        k: request.GET.get(k, "")
        for k in ("kind", "region", "level", "sample_type", "channel", "category", "start", "end")
    }
    for key in ("start", "end"):
        try:
            params[key] = (
                datetime.date.fromisoformat(params[key]).replace(day=1) if params[key] else ""
            )
        except ValueError:
            params[key] = ""
    return params


@login_required
def stats_view(request):
    params = _stats_params(request)
    dimension = request.GET.get("by", "category")
    if dimension not in dashboard.DIMENSIONS:
        dimension = "category"
    rows = dashboard.table(params, dimension)
    trend = dashboard.table(params, "month")
    context = {
        "params": params,
        "dimension": dimension,
        "rows": rows,
        "overall": dashboard.overall(params),
        "trend_json": json.dumps(
            {
                "months": [r["label"] for r in trend],
                "rates": [r["rate"] for r in trend],
                "low": [r["low"] for r in trend],
                "high": [r["high"] for r in trend],
                "tested": [r["tested"] for r in trend],
            },
            ensure_ascii=False,
        ),
        "top_items": dashboard.top_failing_items(params),
        "dimensions": [
            ("category", _("类别")),
            ("region", _("区域")),
            ("level", _("组织层级")),
            ("sample_type", _("抽检类型")),
            ("channel", _("抽样环节")),
            ("month", _("月份")),
        ],
        "regions": Region.objects.filter(level__in=["city", "county", "zone"]),
        "levels": Level.choices,
        "sample_types": SampleType.choices,
        "channels": Channel.choices,
    }
    return render(request, "inspection/stats.html", context)


# ---------------------------------------------------------------- public pages
def public_unqualified(request):
    query = (request.GET.get("q") or "").strip()
    samples = (
        Sample.objects.filter(
            is_public=True, is_void=False, overturned=False, conclusion=Conclusion.FAIL
        )
        .select_related("producer", "sampled_unit", "category")
        .prefetch_related("items")
        .order_by("-sampled_on", "-pk")
    )
    if query:
        samples = samples.filter(
            Q(product_name__icontains=query)
            | Q(producer__name__icontains=query)
            | Q(sampled_unit__name__icontains=query)
        )
    page = Paginator(samples, 25).get_page(request.GET.get("page"))
    rows = [
        {
            "sample": s,
            "producer": s.producer.name if s.producer else "",
            "producer_address": mask("address", s.producer.address) if s.producer else "",
            "sampled_unit": s.sampled_unit.name if s.sampled_unit else "",
            "items": [i for i in s.items.all() if i.verdict == Conclusion.FAIL],
        }
        for s in page
    ]
    return render(
        request, "inspection/public_unqualified.html", {"page": page, "rows": rows, "q": query}
    )


def public_results(request):
    query = (request.GET.get("q") or "").strip()
    records = (
        InspectionRecord.objects.filter(is_public=True, is_void=False)
        .select_related("enterprise", "task__unit")
        .order_by("-inspected_on", "-pk")
    )
    if query:
        records = records.filter(
            Q(enterprise__name__icontains=query) | Q(enterprise__credit_code__icontains=query)
        )
    page = Paginator(records, 25).get_page(request.GET.get("page"))
    rows = [
        {
            "record": r,  # 双随机 publicity: name, credit code, task, authority, date, result
        }
        for r in page
    ]
    return render(
        request, "inspection/public_results.html", {"page": page, "rows": rows, "q": query}
    )


def public_draws(request):
    tasks = RandomInspectionTask.objects.exclude(status=TaskStatus.DRAFT).select_related(
        "unit", "region"
    )
    return render(request, "inspection/public_draws.html", {"tasks": tasks})


def public_draw(request, pk):
    task = get_object_or_404(RandomInspectionTask.objects.exclude(status=TaskStatus.DRAFT), pk=pk)
    report = None
    if request.GET.get("verify") and task.status == TaskStatus.DRAWN:
        announced = (request.GET.get("public_value") or "").strip() or None
        report = services.verify_task(task, announced)
    snap = task.snapshot or {}
    context = {
        "task": task,
        "report": report,
        "drawn": task.status == TaskStatus.DRAWN,
        "population_size": sum(len(v) for v in snap.get("population", {}).values()),
        "entries": task.entries.select_related("enterprise").prefetch_related("inspectors__user")
        if task.status == TaskStatus.DRAWN
        else [],
        "commitment_lines": _commitment_lines(task.commitment or {}),
        "value_format": drawlib.FORMATS.get(task.source_format),
        "value_entries": task.value_entries.all(),
        # a committed draw left undrawn once its value is known is visible, not silent
        "overdue": task.status == TaskStatus.COMMITTED
        and task.source_available_at is not None
        and task.source_available_at <= timezone.now(),
        "param_lines": _param_lines(snap.get("params", {})),
        "system_ids": _system_ids(task),
    }
    return render(request, "inspection/public_draw.html", context)


def _commitment_lines(commitment: dict) -> list[tuple[str, str]]:
    """The published hashes under Chinese names, in the order of docs/draw.md (values unchanged:
    the public recomputes them from the downloaded record)."""
    names = {
        "secret_sha256": _("密钥 SHA-256"),
        "enterprises_sha256": _("企业名单 SHA-256"),
        "inspectors_sha256": _("检查人员名录 SHA-256"),
        "constraints_sha256": _("回避约束 SHA-256"),
        "parameters_sha256": _("抽取参数 SHA-256"),
        "source_sha256": _("公开随机数来源 SHA-256"),
    }
    known = [(names[k], commitment[k]) for k in names if k in commitment]
    return known + [(k, v) for k, v in commitment.items() if k not in names]


def _class_label(cls: str) -> str:
    return _("未分类") if cls == services.UNCLASSIFIED else _("{c}类").format(c=cls)


def _percent(value) -> str:
    try:
        return format(Decimal(str(value)).normalize(), "f") + "%"
    except InvalidOperation:
        return f"{value}%"


def _param_lines(params: dict) -> list[tuple[str, str]]:
    """The draw parameters (services.params_of) as labelled lines for the public page; the exact
    JSON stays in the downloadable record."""
    lines = []
    if params.get("ratios"):
        lines.append(
            (
                _("各类抽取比例"),
                "，".join(
                    f"{_class_label(c)} {_percent(v)}" for c, v in sorted(params["ratios"].items())
                ),
            )
        )
    if params.get("counts"):
        lines.append(
            (
                _("各类抽取户数"),
                "，".join(
                    _("{cls} {n}户").format(cls=_class_label(c), n=n)
                    for c, n in sorted(params["counts"].items())
                ),
            )
        )
    if params.get("total") is not None:
        lines.append((_("抽查总户数"), _("{n}户").format(n=params["total"])))
    if params.get("team_size") is not None:
        lines.append((_("每户检查人数"), _("{n}人").format(n=params["team_size"])))
    if "recent_n" in params:
        recent = params["recent_n"] or 0
        lines.append(
            (
                _("回避最近检查"),
                _("回避该企业最近{n}次检查的人员").format(n=recent) if recent else _("不回避"),
            )
        )
    if "workload_cap" in params:
        cap = params["workload_cap"]
        lines.append((_("每人最多检查户数"), _("{n}户").format(n=cap) if cap else _("不限")))
    if "joint_departments" in params:
        joint = params["joint_departments"]
        lines.append((_("联合部门"), "、".join(joint) if joint else _("无（非联合检查）")))
    return lines


def _system_ids(task) -> set[str]:
    """Draw ids that are the enterprise's internal number (services.population_of uses
    ``QC`` + the registry key when the enterprise has no 统一社会信用代码)."""
    pks = (task.snapshot or {}).get("enterprise_pks", {})
    return {draw_id for draw_id, pk in pks.items() if draw_id == f"QC{pk:08d}"}


def public_draw_record(request, pk):
    """Everything needed to re-run the draw elsewhere (docs/draw.md §7), as JSON."""
    task = get_object_or_404(RandomInspectionTask, pk=pk, status=TaskStatus.DRAWN)
    snap = task.snapshot
    body = {
        "task": task.name,
        "algorithm": f"{drawlib.ALGORITHM_VERSION} (docs/draw.md)",
        "secret": task.secret,
        "source": source_of(task).canonical(),
        "public_value": task.public_value,
        "public_value_canonical": task.public_value_canonical,
        "public_value_source": task.public_value_source,
        "public_value_entries": [
            {
                "entered_at": drawlib.utc_text(v.entered_at),
                "value": v.value,
                "accepted": v.accepted,
                "reason": v.reason,
            }
            for v in task.value_entries.all()
        ],
        "drawn_at": drawlib.utc_text(task.drawn_at),
        "enterprises": snap["population"],
        "inspectors": snap["inspectors"],
        "conflicts": snap["conflicts"],
        "history": snap["history"],
        "parameters": snap["params"],
        "result": task.result,
    }
    user = request.user
    if not (user.is_authenticated and (user.is_office_admin or user.is_auditor)):
        body = _public_draw_record(body)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="draw-{task.pk}.json"'
    return response


def _public_draw_record(body: dict) -> dict:
    """The draw record as published: a firm's credit-risk class is internal (国市监信发〔2022〕6号,
    REFERENCE.md §2), so the class -> firms map and the per-class selection are left out; the
    published ids, the selection in pairing order, the teams and the commitment remain. The
    page's 重新计算并验证 re-runs the full draw on the server."""
    result = dict(body["result"] or {})
    selected = result.pop("selected", {}) or {}
    result.pop("allocation", None)
    result["selected_count"] = sum(len(ids) for ids in selected.values())
    return {
        **body,
        "enterprises": sorted(e for ids in body["enterprises"].values() for e in ids),
        "result": result,
        "note": _(
            "企业信用风险分类属内部管理信息，不予公开；完整记录（含分类）由质量办和审计人员登录后下载。"
        ),
    }


# ---------------------------------------------------------------- quarterly analysis report
@login_required
def quarterly_view(request):
    from . import quarterly

    today = timezone.localdate()
    default = quarterly.Quarter.containing(today).previous()
    year = request.GET.get("year") or str(default.year)
    number = request.GET.get("quarter") or str(default.number)
    kind = request.GET.get("kind") or "food"
    level = request.GET.get("level", "")
    region = None
    error = ""
    report = None
    try:
        quarter = quarterly.parse_quarter(year, number, today)
        if request.GET.get("region"):
            region = (
                Region.objects.filter(pk=request.GET["region"]).first()
                if request.GET["region"].isdigit()
                else None
            )
            if region is None:
                raise ValidationError(_("未知区域，请从列表中选择"))
        report = quarterly.build(quarter, kind, region, level)
    except ValidationError as exc:
        error = _errors(exc)
    export = request.GET.get("format", "")
    if report is not None and export in ("xlsx", "docx"):
        name = f"quarterly-{report.quarter.year}Q{report.quarter.number}-{kind}"
        if export == "xlsx":
            body = quarterly.xlsx(report)
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            issuer = request.user.role_assignments.exclude(unit=None).select_related("unit").first()
            body = quarterly.docx(report, issuer.unit.name if issuer else "")
            ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ExportLog.objects.create(
            user=request.user, what=report.title(), format=export, rows=report.current["tested"]
        )
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = f'attachment; filename="{name}.{export}"'
        return response
    context = {
        "error": error,
        "report": report,
        "tables": [
            (quarterly.dimension_title(d, kind), report.tables[d]) for d in quarterly.DIMENSIONS
        ]
        if report
        else [],
        "form": {
            "year": year,
            "quarter": number,
            "kind": kind,
            "level": level,
            "region": request.GET.get("region", ""),
        },
        "years": list(range(today.year, today.year - 6, -1)),
        "regions": Region.objects.filter(level__in=["city", "county", "zone"]),
        "levels": Level.choices,
        "query": request.GET.urlencode(),
    }
    return render(request, "inspection/quarterly.html", context, status=400 if error else 200)
