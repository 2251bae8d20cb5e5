"""The tracking part of the demo world: the city plan's tasks assigned to their units in
every state — awaiting 交办 and 签收, returned as not its own, reports returned and accepted
with co-unit input, an extension, a 销号 on time and a late one, an overdue task with its
催办 and numbered 督办通知单 — plus 领导批示 items and a task per district government that the
district assessment reads. Built through the services; idempotent."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qcity.core.choices import UnitKind
from qcity.core.models import OrgUnit

from . import periods, services
from .models import Assignment


def _tasks():
    from qcity.plans.demo import city_plan
    from qcity.plans.models import Plan

    plan = city_plan() or Plan.objects.filter(tasks__isnull=False, role="ours").first()
    if plan is None:
        return []
    tasks = []
    for task in plan.tasks.filter(is_void=False).prefetch_related("responsibilities"):
        if task.lead_unit_id or any(
            r.unit_id and r.role == "lead" for r in task.responsibilities.all()
        ):
            tasks.append(task)
    return tasks


def _report(a, lead_user, on, done, percent, co_user=None, co_text=""):
    report = services.open_report(a, lead_user, on=on)
    report = services.save_report(
        report,
        {"done": done, "percent": percent, "next_steps": "按计划推进下一阶段工作"},
        lead_user,
        report.version,
    )
    if co_user is not None:
        services.add_co_input(report, co_user, co_text)
    return services.submit_report(report, lead_user, on=on)


def evidence(name: str, text: str = "") -> SimpleUploadedFile:
    """A small PDF standing in for a scanned summary or acceptance record."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return SimpleUploadedFile(name, body + text.encode("utf-8"), "application/pdf")


def build(world, size):
    if Assignment.objects.exists():
        return
    office = world.user("office_admin")
    market = world.user("market_staff")
    construction = world.user("construction_staff")
    today = timezone.localdate()
    start = today - datetime.timedelta(days=150)
    year_end = datetime.date(today.year, 12, 31)
    tasks = _tasks()

    def from_task(i, deadline=None):
        task = tasks[i % len(tasks)] if tasks else None
        data = {
            "leader": "张副市长",
            "responsible_person": "李科长",
            "completion_standard": "形成工作总结并通过质量办验收",
        }
        if task is not None and not Assignment.objects.filter(task=task).exists():
            data["task"] = task
            if deadline:
                data["deadline"] = deadline
            elif not task.deadline:
                data["deadline"] = year_end
        else:
            data.update(
                {
                    "title": f"质量提升专项工作（{i + 1}）",
                    "lead_unit": world.unit("市市场监管局"),
                    "deadline": deadline or year_end,
                    "source": "meeting",
                }
            )
        co = [(world.unit("市住建局"), "负责建设工程质量相关工作")] if i % 2 == 0 else None
        return services.create_assignment(data, office, co_units=co, on=start)

    def market_led(i, deadline):
        """An item led by the market regulator so the demo users can act on it."""
        return services.create_assignment(
            {
                "title": [
                    "推进质量基础设施“一站式”服务站建设",
                    "开展重点工业产品质量安全专项整治",
                    "实施食品安全“两个责任”督导",
                    "开展计量惠民专项行动",
                    "推动企业首席质量官制度落地",
                    "组织质量月活动",
                    "开展电梯安全隐患排查",
                    "推进标准化试点示范项目",
                ][i],
                "source": "plan",
                "lead_unit": world.unit("市市场监管局"),
                "leader": "张副市长",
                "responsible_person": "李监管",
                "completion_standard": "完成年度工作目标并报送总结",
                "deadline": deadline,
                "milestones": [
                    {
                        "date": str(start + datetime.timedelta(days=60)),
                        "title": "完成方案制定",
                        "standard": "印发工作方案",
                        "done": True,
                    },
                    {
                        "date": str(min(deadline, today - datetime.timedelta(days=7))),
                        "title": "完成中期评估",
                        "standard": "形成中期评估报告报质量办",
                        "done": False,
                    },
                ],
            },
            office,
            co_units=[
                (world.unit("市住建局"), "配合做好建设领域相关工作"),
                (world.unit("江北区市场监管局"), "做好辖区落实"),
            ],
            on=start,
        )

    # from the plan: draft, assigned (to sign), returned
    for i in range(min(len(tasks), 12)):
        a = from_task(i)
        if i % 3 == 1:
            services.assign(a, office, on=start)
        elif i % 3 == 2:
            services.assign(a, office, on=start)
            services.sign(a, office, on=start + datetime.timedelta(days=2))
    returned = services.create_assignment(
        {
            "title": "开展农产品质量安全追溯体系建设",
            "source": "plan",
            "lead_unit": world.unit("市市场监管局"),
            "deadline": year_end,
        },
        office,
        on=start,
    )
    services.assign(returned, office, on=start)
    services.return_assignment(
        returned,
        market,
        "农产品质量安全追溯属于农业农村部门职责，建议改由市农业农村局牵头",
        on=start + datetime.timedelta(days=1),
    )

    # market-led items in the other states
    in_progress = market_led(0, year_end)
    services.assign(in_progress, office, on=start)
    services.sign(in_progress, market, on=start + datetime.timedelta(days=1))
    p1 = periods.period_containing(start, "monthly", in_progress.report_day)
    p2 = periods.period_containing(
        p1.end + datetime.timedelta(days=1), "monthly", in_progress.report_day
    )
    p3 = periods.period_containing(
        p2.end + datetime.timedelta(days=1), "monthly", in_progress.report_day
    )
    day = datetime.timedelta(days=1)
    r = _report(
        in_progress,
        market,
        p1.due - 2 * day,
        "完成服务站选址和方案制定",
        20,
        construction,
        "已提供建设工程检测机构名单",
    )
    services.accept_report(r, office, "符合要求", on=p1.due)
    r = _report(
        in_progress,
        market,
        p2.due + 2 * day,
        "建成服务站2个",
        35,
        construction,
        "配合完成1个站点的场地协调",
    )
    r = services.return_report(r, office, "请补充服务企业数量和典型案例", on=p2.due + 3 * day)
    r = services.save_report(
        r,
        {"done": "建成服务站2个，服务企业126家次，形成典型案例3个", "percent": 40},
        market,
        r.version,
    )
    r = services.submit_report(r, market, on=p2.due + 4 * day)
    services.accept_report(r, office, on=p2.due + 5 * day)
    r = _report(in_progress, market, p3.due - day, "建成服务站4个", 55)

    extended = market_led(1, today + datetime.timedelta(days=20))
    services.assign(extended, office, on=start)
    services.sign(extended, market, on=start + datetime.timedelta(days=2))
    ext = services.request_extension(
        extended,
        market,
        "整治对象增加，需延长排查时间",
        today + datetime.timedelta(days=90),
        "已完成排查企业80%",
        on=today - datetime.timedelta(days=5),
    )
    services.decide_extension(
        ext,
        office,
        grant=True,
        comment="同意延期，请加快进度",
        on=today - datetime.timedelta(days=4),
    )

    pending_ext = market_led(2, today + datetime.timedelta(days=40))
    services.assign(pending_ext, office, on=start)
    services.sign(pending_ext, market, on=start + datetime.timedelta(days=3))
    services.request_extension(
        pending_ext,
        market,
        "需等待省局督导安排",
        today + datetime.timedelta(days=70),
        "已完成自查",
        on=today,
    )

    close_req = market_led(3, today + datetime.timedelta(days=30))
    services.assign(close_req, office, on=start)
    services.sign(close_req, market, on=start + datetime.timedelta(days=1))
    services.request_close(
        close_req,
        market,
        "计量惠民行动已完成，免费检定衡器3200台，总结报告已上传",
        [evidence("计量惠民专项行动总结.pdf")],
        on=today - datetime.timedelta(days=2),
    )

    closed = market_led(4, today - datetime.timedelta(days=20))
    services.assign(closed, office, on=start)
    services.sign(closed, market, on=start + datetime.timedelta(days=1))
    services.request_close(
        closed,
        market,
        "已有126家企业设立首席质量官",
        [evidence("首席质量官名单.pdf")],
        on=today - datetime.timedelta(days=27),
    )
    services.verify_close(closed, office, on=today - datetime.timedelta(days=25))

    late = market_led(5, today - datetime.timedelta(days=40))
    services.assign(late, office, on=start)
    services.sign(late, market, on=start + datetime.timedelta(days=1))
    services.request_close(
        late,
        market,
        "质量月活动已完成",
        [evidence("质量月活动总结.pdf")],
        on=today - datetime.timedelta(days=31),
    )
    services.verify_close(late, office, on=today - datetime.timedelta(days=30))

    overdue = market_led(6, today - datetime.timedelta(days=12))
    services.assign(overdue, office, on=start)
    services.sign(overdue, market, on=start + datetime.timedelta(days=4))
    first = periods.period_containing(start, "monthly", overdue.report_day)
    r = _report(overdue, market, first.due - day, "完成电梯台账梳理", 30)
    services.accept_report(r, office, on=first.due)
    services.issue_followup(
        overdue, "urge", "deadline", overdue.deadline, on=today - datetime.timedelta(days=11)
    )
    services.issue_followup(
        overdue, "supervise", "deadline", overdue.deadline, on=today - datetime.timedelta(days=4)
    )

    suspended = market_led(7, year_end)
    services.assign(suspended, office, on=start)
    services.sign(suspended, market, on=start + datetime.timedelta(days=1))
    services.suspend(
        suspended, office, "等待省级标准化试点名单公布", on=start + datetime.timedelta(days=30)
    )

    instruction = services.create_assignment(
        {
            "title": "落实市长关于学校食堂食品安全的批示",
            "source": "instruction",
            "source_note": f"市长批示件〔{today.year}〕12号",
            "lead_unit": world.unit("市市场监管局"),
            "deadline": today + datetime.timedelta(days=25),
            "cycle": "monthly",
        },
        office,
        co_units=[(world.unit("市教育局"), "督促学校落实食堂主体责任")],
        on=today - datetime.timedelta(days=4),
    )
    services.assign(instruction, office, on=today - datetime.timedelta(days=3))

    # one task per district government, with different outcomes for the district assessment
    governments = OrgUnit.objects.filter(
        kind__in=[UnitKind.DISTRICT_GOVERNMENT, UnitKind.ZONE_COMMITTEE]
    ).order_by("region__code")
    for i, gov in enumerate(governments):
        deadline = (
            today - datetime.timedelta(days=10) if i % 3 else today + datetime.timedelta(days=30)
        )
        a = services.create_assignment(
            {
                "title": f"{gov.region.name}质量提升三年行动年度任务",
                "source": "plan",
                "lead_unit": gov,
                "deadline": deadline,
                "cycle": "quarterly",
            },
            office,
            on=start,
        )
        services.assign(a, office, on=start)
        services.sign(a, office, on=start + datetime.timedelta(days=1))
        if i % 4 != 3:
            quarter = periods.period_containing(start, "quarterly", a.report_day)
            on = quarter.due + (3 * day if i % 3 == 2 else -day)
            r = _report(a, office, on, "推进年度任务", 60 + i * 3)
            services.accept_report(r, office, on=on + day)
        if i % 3 == 1:
            closing = deadline - datetime.timedelta(days=2)
            services.request_close(
                a, office, "年度任务已完成", [evidence("年度任务完成情况报告.pdf")], on=closing
            )
            services.verify_close(a, office, on=closing)
        elif i % 3 == 2 and i % 2 == 0:
            closing = deadline + datetime.timedelta(days=5)
            services.request_close(
                a, office, "年度任务已完成", [evidence("年度任务完成情况报告.pdf")], on=closing
            )
            services.verify_close(a, office, on=closing)
    services.scan(on=today)
