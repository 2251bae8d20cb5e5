"""The assessment part of the demo world: a district scheme (default scoring table), facts (an
award, a deduction, a major incident that vetoes one district), self-assessment with evidence,
review, 公示 with one appeal decided, and publication. Idempotent.

Which year it assesses depends on the build date, so the demo makes sense on any day: in
January and February (when a bureau really assesses the year just ended) the previous year;
from March on the current year (a year-end run brought forward so every stage can be seen).
Every step happens on its own day, in order, all before the build date: 公示 opened 20 days
and publication 5 days before it; the start (scored as of its day) 10 days before 公示 or on
31 December of the assessed year if that is earlier, self-assessment 3 and review 6 days after
the start, the appeal the day after 公示 opened and its decision the day after that. Facts
fall inside the assessed year, before the start. The appeal window (rule table) therefore
closes after 公示 opened and before publication on every build date."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from qcity.core.models import Region

from . import services
from .choices import FactKind
from .models import AssessmentFact, Scheme


def assessed_year(today: datetime.date) -> int:
    return today.year - 1 if today.month <= 2 else today.year


# built after the apps that add evidence (core.demo.build): the scores read the finished figures
READS_ALL_EVIDENCE = True


def build(world, size):
    office = world.user("office_admin")
    today = timezone.localdate()
    year = assessed_year(today)
    if Scheme.objects.filter(year=year).exists():
        return
    opened = today - datetime.timedelta(days=20)  # 公示
    as_of = min(opened - datetime.timedelta(days=10), datetime.date(year, 12, 31))  # start
    self_day, review_day = as_of + datetime.timedelta(days=3), as_of + datetime.timedelta(days=6)
    occurred_on = max(datetime.date(year, 1, 1), as_of - datetime.timedelta(days=60))
    from qcity.plans.models import Plan

    plan = Plan.objects.filter(role="ours", is_void=False, tasks__isnull=False).first()
    scheme = services.create_scheme(
        {"year": year, "name": f"示例市{year}年度区县质量工作考核方案", "plan": plan}, office
    )
    facts = [
        ("990102", FactKind.AWARD, "3", "获省长质量奖提名奖1项"),
        ("990102", FactKind.AWARD, "1", "获评省级质量品牌示范区"),
        ("990104", FactKind.DEDUCTION, "2", "重点产品抽检不合格问题被省局通报"),
        ("990111", FactKind.INCIDENT, "0", "辖区发生区域性食品安全事件（造成群体性食源性疾病）"),
    ]
    for code, kind, points, text in facts:
        AssessmentFact.objects.create(
            year=year,
            kind=kind,
            region=Region.objects.get(code=code),
            points=Decimal(points),
            description=text,
            occurred_on=occurred_on,
        )
    rows = services.start(scheme, services.district_subjects(), office, on=as_of)
    for i, a in enumerate(rows):
        if i == 0:
            for s in a.scores.select_related("item"):
                if s.item.method == "manual":
                    services.self_assess(
                        s,
                        office,
                        "9",
                        "年度质量工作综合成效明显",
                        evidence_note="年度工作总结（附件1）",
                        on=self_day,
                    )
                elif s.item.method == "bonus":
                    services.self_assess(
                        s,
                        office,
                        s.computed_score,
                        "省长质量奖提名",
                        evidence_note="获奖文件（附件2）",
                        on=self_day,
                    )
        services.submit_self(a, office, on=self_day)
    for i, a in enumerate(rows):
        manual = a.scores.get(item__method="manual")
        score = Decimal(6 + (i * 7) % 5)
        services.review_item(
            manual,
            office,
            score,
            f"综合评价：工作推进{'有力' if score >= 8 else '一般'}",
            on=review_day,
        )
    services.start_publicity(scheme, office, on=opened)
    appellant = rows[2]
    manual = appellant.scores.get(item__method="manual")
    services.file_appeal(
        appellant,
        office,
        "综合评价未考虑我区质量基础设施建设成效",
        manual,
        "9",
        on=opened + datetime.timedelta(days=1),
    )
    appeal = appellant.appeals.first()
    services.decide_appeal(
        appeal,
        office,
        True,
        "经复核，该区质量基础设施建设成效突出，调整为9分",
        "9",
        on=opened + datetime.timedelta(days=2),
    )
    services.publish(scheme, office, on=today - datetime.timedelta(days=5))
