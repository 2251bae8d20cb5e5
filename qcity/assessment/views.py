"""Pages of 目标责任考核: a scheme's results (rank, grade, exports, 公示/发布 buttons) and an
assessment's item-by-item page (自评, 审核, 申诉, 更正). Views parse and call ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qcity.core import capabilities, events
from qcity.core.registry import get as get_registration
from qcity.core.views import get_scoped_object

from . import services
from .choices import AppealStatus, Method, NoDataRule, Stage
from .models import Assessment, Scheme


def _office_or_auditor(user):
    if not (user.is_office_admin or user.is_auditor):
        raise PermissionDenied(_("只有质量办和审计人员可以查看汇总结果"))


PUBLIC_STAGES = (Stage.PUBLICITY, Stage.APPEAL, Stage.PUBLISHED)


def _visible_rows(scheme, user):
    """What a user sees of a scheme's results: the office and auditors everything; an
    assessed unit its own row and, from 公示 on, the full ranked list of every result that is
    in 公示 or published; anybody else what their scope allows."""
    current = Assessment.objects.filter(scheme=scheme, superseded_by__isnull=True)
    if user.is_office_admin or user.is_auditor:
        rows = current
    else:
        rows = current.for_user(user)
        if current.filter(unit_id__in=user.unit_ids()).exists():
            rows = current.filter(Q(pk__in=rows.values("pk")) | Q(stage__in=PUBLIC_STAGES))
    return list(rows.select_related("region", "unit").order_by("rank", "region__code", "pk"))


@login_required
def results(request, pk):
    scheme = get_object_or_404(Scheme, pk=pk)
    rows = _visible_rows(scheme, request.user)
    is_office = request.user.is_office_admin
    published = is_office and bool(rows) and all(a.stage == Stage.PUBLISHED for a in rows)
    return render(
        request,
        "assessment/results.html",
        {
            "scheme": scheme,
            "rows": rows,
            "started": services.scheme_started(scheme),
            "is_office": is_office,
            "can_export": is_office or request.user.is_auditor,
            "can_publicity": is_office and any(a.stage == Stage.REVIEW for a in rows),
            "can_publish": is_office and any(a.stage == Stage.PUBLICITY for a in rows),
            "can_remind": is_office and any(a.stage == Stage.SELF for a in rows),
            "can_issue": published,
            "candidates": services.candidate_subjects() if is_office and not rows else [],
            "missing": services.missing_data(rows),
            "unscored": services.unscored_items(rows) if is_office else [],
            "notice_ready": bool(scheme.notice_number and scheme.notice_issued_at),
            "superseded": Assessment.objects.for_user(request.user)
            .filter(scheme=scheme, superseded_by__isnull=False)
            .select_related("region", "unit", "superseded_by"),
        },
    )


@login_required
@require_POST
def scheme_act(request, pk, action):
    scheme = get_object_or_404(Scheme, pk=pk)
    if not request.user.is_office_admin:
        raise PermissionDenied(_("只有质量办可以执行此操作"))
    try:
        if action == "start":
            services.start(
                scheme, services.subjects_for_units(request.POST.getlist("units")), request.user
            )
        elif action == "remind":
            names = services.remind_self(scheme, request.user)
            messages.success(request, _("已向以下单位催报自评：{u}").format(u="、".join(names)))
            return redirect("assessment:results", pk=pk)
        elif action == "notice":
            services.issue_notice(scheme, request.user, request.POST.get("notice_number", ""))
        elif action == "publicity":
            services.start_publicity(scheme, request.user)
        elif action == "publish":
            services.publish(scheme, request.user)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("操作已完成"))
    return redirect("assessment:results", pk=pk)


@login_required
def results_xlsx(request, pk):
    _office_or_auditor(request.user)
    scheme = get_object_or_404(Scheme, pk=pk)
    response = HttpResponse(
        services.results_xlsx(scheme),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{scheme.year}.xlsx"'
    return response


@login_required
def notice_docx(request, pk):
    _office_or_auditor(request.user)
    scheme = get_object_or_404(Scheme, pk=pk)
    try:
        content = services.notice_docx(scheme)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("assessment:results", pk=pk)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-notice-{scheme.year}.docx"'
    return response


@login_required
def scheme_items(request, pk):
    """Edit a scheme's items (细则) before the scheme starts: office only."""
    if not request.user.is_office_admin:
        raise PermissionDenied(_("只有质量办可以修改考核细则"))
    scheme = get_object_or_404(Scheme, pk=pk)
    items = list(scheme.items.all())
    started = services.scheme_started(scheme)
    if request.method == "POST":
        post = request.POST
        rows = {
            i.pk: {f: post.get(f"{f}_{i.pk}", "") for f in services.ITEM_FIELDS}
            for i in items
            if f"name_{i.pk}" in post
        }
        try:
            services.update_items(scheme, rows, request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("考核细则已保存"))
            return redirect("assessment:scheme_detail", pk=pk)
        items = list(scheme.items.all())
    return render(
        request,
        "assessment/scheme_items.html",
        {
            "scheme": scheme,
            "items": items,
            "started": started,
            "methods": [c for c in Method.choices if c[0] != Method.HEADER],
            "rules": NoDataRule.choices,
        },
    )


def _assessment_for(user, pk, action="view"):
    """The assessment in the user's scope. An item's assessing department (考核部门) also
    opens another subject's assessment to score its items (capabilities: review, ASSESSING):
    then ``assessing`` holds its units and it sees those items only."""
    registration = get_registration(Assessment)
    assessing = capabilities.unit_ids(user, Assessment, "review")
    if (
        assessing
        and action in ("view", "review")
        and not registration.queryset(user).filter(pk=pk).exists()
    ):
        a = (
            Assessment.objects.filter(pk=pk, scores__item__assessing_unit_id__in=assessing)
            .distinct()
            .first()
        )
        if a is not None:
            return a, assessing
    return get_scoped_object(registration, user, pk), None


@login_required
def assessment_detail(request, pk):
    registration = get_registration(Assessment)
    a, assessing = _assessment_for(request.user, pk)
    user = request.user
    is_subject = user.is_office_admin or capabilities.allows(user, a, "self_assess")
    rows = []
    scores = a.scores.all()
    if assessing is not None:
        scores = scores.filter(item__assessing_unit_id__in=assessing)
    for s in scores.select_related("item", "item__assessing_unit").order_by("item__order"):
        rows.append(
            {
                "score": s,
                "can_self": is_subject
                and a.stage == Stage.SELF
                and not a.is_frozen
                and not (s.no_data and s.item.no_data_rule != NoDataRule.OFFICE),
                "can_review": a.stage == Stage.REVIEW
                and services.may_review(s, user)
                and not (s.no_data and s.item.no_data_rule == NoDataRule.SHARE),
                "is_veto": s.item.method == Method.VETO,
            }
        )
    return render(
        request,
        "assessment/assessment_detail.html",
        {
            "object": a,
            "registration": registration,
            "rows": rows,
            "appeals": a.appeals.select_related("item_score__item", "filed_by", "decided_by")
            if assessing is None
            else [],
            "timeline": events.timeline(a) if assessing is None else [],
            "can_submit_self": is_subject and a.stage == Stage.SELF,
            "can_appeal": is_subject
            and a.stage in (Stage.PUBLICITY, Stage.APPEAL)
            and not a.is_frozen,
            "can_decide": user.is_office_admin and not a.is_frozen,
            "can_supersede": user.is_office_admin
            and a.stage == Stage.PUBLISHED
            and not a.superseded_by_id,
            "can_recompute": user.is_office_admin and a.stage in (Stage.SELF, Stage.REVIEW),
            "pending": AppealStatus.PENDING,
        },
    )


@login_required
@require_POST
def act(request, pk, action):
    a, _assessing = _assessment_for(request.user, pk, action)
    user, post = request.user, request.POST
    target = redirect("assessment:assessment_detail", pk=a.pk)
    try:
        if action == "self":
            row = a.scores.filter(pk=post.get("score") or 0).select_related("item").first()
            if row is None:
                raise Http404
            services.self_assess(
                row,
                user,
                post.get("self_score", ""),
                post.get("self_note", ""),
                request.FILES.get("evidence"),
                post.get("evidence_note", ""),
            )
        elif action == "submit_self":
            services.submit_self(a, user)
        elif action == "review":
            row = a.scores.filter(pk=post.get("score") or 0).select_related("item").first()
            if row is None:
                raise Http404
            services.review_item(
                row, user, post.get("reviewed_score", ""), post.get("review_reason", "")
            )
        elif action == "appeal":
            row = a.scores.filter(pk=post.get("score") or 0).select_related("item").first()
            services.file_appeal(
                a, user, post.get("reason", ""), row, post.get("requested_score") or None
            )
        elif action == "decide":
            appeal = a.appeals.filter(pk=post.get("appeal") or 0).first()
            if appeal is None:
                raise Http404
            services.decide_appeal(
                appeal,
                user,
                post.get("upheld") == "1",
                post.get("reason", ""),
                post.get("new_score") or None,
            )
        elif action == "supersede":
            new = services.supersede(a, user, post.get("reason", ""))
            messages.success(request, _("已创建更正结果，进入审核"))
            return redirect("assessment:assessment_detail", pk=new.pk)
        elif action == "recompute":
            services.recompute(a, user)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("操作已完成"))
    return target
