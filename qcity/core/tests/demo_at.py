"""Build the full demo as if today were DATE, in a fresh SQLite database, and print what a
person would check about it as one JSON line (used by test_demo_dates; also handy by hand):

    python -m qcity.core.tests.demo_at 2027-01-02 /tmp/somewhere [--size full]
    python -m qcity.core.tests.demo_at --migrate-only 2027-01-02 /tmp/template

With ``--migrate-only`` it only migrates (the schema does not depend on the date), so a test
can migrate once and copy the database for every date it tries.

The clock is moved with time-machine for this process only (09:00 Beijing time, ticking), so
every ``timezone.localdate()`` in the services and demos sees DATE.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
import zoneinfo


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("date", type=datetime.date.fromisoformat)
    parser.add_argument("var_dir")
    parser.add_argument("--size", default="full", choices=["small", "full"])
    parser.add_argument("--migrate-only", action="store_true")
    args = parser.parse_args(argv)

    os.environ["QCITY_VAR_DIR"] = args.var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("QCITY_DEV", "1")
    os.environ.setdefault("QCITY_FAST_HASHER", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcity.settings")

    import time_machine

    start = datetime.datetime.combine(
        args.date, datetime.time(9), zoneinfo.ZoneInfo("Asia/Shanghai")
    )
    with time_machine.travel(start, tick=True):
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        if args.migrate_only:
            return 0
        began = time.monotonic()
        try:
            call_command("demo", size=args.size, verbosity=0)
        except Exception as exc:  # reported, then the checks show what was left behind
            failure = str(exc)
        else:
            failure = ""
        summary = facts(args.date)
        summary["failure"] = failure
        summary["food_scores"] = food_scores_against_dashboard(args.date)
        summary["build_seconds"] = round(time.monotonic() - began, 1)
    print(json.dumps(summary, ensure_ascii=False, default=str))
    return 0


def facts(today: datetime.date) -> dict:
    """What was built, measured against ``today``."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Max
    from django.utils import timezone

    from qcity.assessment.models import Assessment
    from qcity.core.models import Event, SiteFlag
    from qcity.indicators.models import Observation
    from qcity.inspection.models import DisposalCase, RandomInspectionTask, Sample
    from qcity.plans.demo import city_plan
    from qcity.tracking.models import Assignment, ProgressReport

    def latest(qs, field):
        return qs.aggregate(m=Max(field))["m"]

    plan = city_plan()
    open_cases = DisposalCase.objects.exclude(stage__in=["closed", "overturned"])
    open_items = Assignment.objects.exclude(state__in=["closed", "closed_late", "terminated"])
    food = Observation.objects.filter(
        indicator__key="food_sampling_pass_rate", region__code="990100", source="reported"
    )
    end_of_day = datetime.datetime.combine(
        today, datetime.time(23, 59, 59), zoneinfo.ZoneInfo("Asia/Shanghai")
    )
    return {
        "today": today,
        "demo_flag": SiteFlag.objects.filter(key="demo").exists(),
        "samples": Sample.objects.count(),
        "plan": plan.title if plan else None,
        "plan_years": [plan.period_start, plan.period_end] if plan else None,
        "last_event": latest(Event.objects.all(), "time"),
        "events_after_today": Event.objects.filter(time__gt=end_of_day).count(),
        "last_sample_day": latest(Sample.objects.all(), "sampled_on"),
        "last_report_day": latest(Sample.objects.all(), "reported_on"),
        "last_case_step": max(
            filter(
                None,
                [
                    latest(DisposalCase.objects.all(), "notice_served_on"),
                    latest(DisposalCase.objects.all(), "closed_on"),
                    latest(DisposalCase.objects.all(), "opened_on"),
                ],
            ),
            default=None,
        ),
        "open_cases": open_cases.count(),
        "overdue_cases": open_cases.filter(due__lt=today).count(),
        "closed_cases": DisposalCase.objects.filter(stage="closed").count(),
        "last_assignment_close": latest(Assignment.objects.all(), "closed_on"),
        "last_assigned_on": latest(Assignment.objects.all(), "assigned_on"),
        "last_report_submitted": latest(ProgressReport.objects.all(), "submitted_at"),
        "open_items": open_items.count(),
        "overdue_items": open_items.filter(deadline__lt=today).count(),
        "last_food_month_end": latest(food, "period_end"),
        "draw_tasks": RandomInspectionTask.objects.count(),
        "assessments": sorted(
            {(a.scheme.year, a.stage) for a in Assessment.objects.select_related("scheme")}
        ),
        "last_published": latest(Assessment.objects.all(), "published_at"),
        # [公示 day on the timeline, appeal deadline it announced] of each assessment
        "appeal_windows": sorted(
            {
                (timezone.localdate(e.time), a.publicity_until)
                for a in Assessment.objects.exclude(publicity_until=None)
                for e in Event.objects.filter(
                    content_type=ContentType.objects.get_for_model(Assessment),
                    object_id=str(a.pk),
                    type="publicity",
                )
            }
        ),
    }


def food_scores_against_dashboard(today: datetime.date) -> dict:
    """Each district's 考核 food pass-rate figure beside the figure its dashboard judged on the
    day the scores were computed (or the assessed year's end, if earlier): the same number, and
    never a figure from after that day."""
    import re

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from qcity.assessment.choices import Method
    from qcity.assessment.models import ItemScore
    from qcity.core.models import Event
    from qcity.indicators.status import StatusBoard
    from qcity.plans.models import Target

    compared, mismatches, boards = 0, [], {}
    scores = ItemScore.objects.filter(
        item__method=Method.TARGET, assessment__region__isnull=False
    ).select_related("assessment__scheme", "assessment__region")
    for score in scores:
        found = re.search(r"食品抽检合格率：实际([\d.]+)%", score.computed_reason)
        a = score.assessment
        target = Target.objects.filter(
            region=a.region, link__indicator__key="food_sampling_pass_rate", is_void=False
        ).first()
        if not found or target is None:
            continue
        scored = (
            Event.objects.filter(
                content_type=ContentType.objects.get_for_model(a),
                object_id=str(a.pk),
                type__in=["started", "recomputed"],
            )
            .order_by("-time")
            .values_list("time", flat=True)
            .first()
        )
        on = min(timezone.localdate(scored), datetime.date(a.scheme.year, 12, 31))
        board = boards.setdefault(on, StatusBoard(on))
        figure = board.status(target).figure
        shown = None if figure is None else f"{float(figure.value):g}"
        compared += 1
        if shown != f"{float(found.group(1)):g}":
            mismatches.append([a.region.name, found.group(1), shown])
    return {"compared": compared, "mismatches": mismatches}


if __name__ == "__main__":
    sys.exit(main())
