"""交办 from a plan: the office picks tasks of a plan (all, a section, some) on the plan's
hand-out page and hands them to their lead and co-units in one action."""

import datetime

import pytest
from django.urls import reverse

from qcity.core import audit
from qcity.core.models import ChangeLog
from qcity.core.services import create_object
from qcity.plans.models import Plan, Responsibility, Section, Task
from qcity.tracking import services
from qcity.tracking.models import Assignment


@pytest.fixture
def plan(world):
    """A plan as the import leaves it: two sections, four tasks; one task has no deadline and
    one has a lead unit whose name was not matched to a registered unit."""
    today = services.today()
    office = world.user("office_admin")
    with audit.acting_as(office):
        plan = create_object(
            Plan,
            {"title": "质量提升行动实施方案", "role": "ours", "period_start": 2026},
        )
    first = Section.objects.create(plan=plan, number="一", title="提升产品质量", order=1)
    second = Section.objects.create(plan=plan, number="二", title="提升服务质量", order=2)
    sub = Section.objects.create(
        plan=plan, parent=second, number="（一）", title="生活服务", level=2, order=3
    )

    def task(n, section, title, lead, deadline=None, co=(), lead_text=None):
        with audit.acting_as(office):
            t = create_object(
                Task,
                {
                    "plan": plan,
                    "section": section,
                    "number": str(n),
                    "title": title,
                    "lead_unit": world.unit(lead) if lead else None,
                    "deadline": deadline,
                    "deadline_text": "" if deadline else "持续推进",
                    "order": n,
                },
            )
        Responsibility.objects.create(
            task=t,
            unit=world.unit(lead) if lead else None,
            name_as_written=lead or lead_text,
            role="lead",
        )
        for name, duty in co:
            Responsibility.objects.create(
                task=t, unit=world.unit(name), name_as_written=name, role="co", duty=duty
            )
        return t

    plan.t1 = task(
        1,
        first,
        "开展重点产品质量攻关",
        "市市场监管局",
        today + datetime.timedelta(days=200),
        co=[("市住建局", "负责建材产品部分")],
    )
    plan.t2 = task(2, first, "推进品牌建设", "市住建局")
    plan.t3 = task(3, sub, "提升家政服务质量", None, lead_text="市家政服务协会")
    plan.t4 = task(
        4, second, "提升农业服务质量", "市农业农村局", today + datetime.timedelta(days=300)
    )
    plan.first, plan.second = first, second
    return plan


def url(plan):
    return reverse("tracking:plan_assign", args=[plan.pk])


def item(task):
    return Assignment.objects.filter(task=task).first()


def test_plan_page_offers_handout_to_the_office_only(world, client_for, plan):
    detail = reverse("plans:plan_detail", args=[plan.pk])
    assert url(plan) in client_for("office_admin").get(detail).content.decode()
    assert url(plan) not in client_for("market_staff").get(detail).content.decode()
    page = client_for("office_admin").get(url(plan)).content.decode()
    for t in (plan.t1, plan.t2, plan.t3, plan.t4):
        assert t.title in page
    assert "提升服务质量" in page and "未确定" in page
    # the states in the last column are explained on the page
    assert (
        "“未交办”指该任务尚未登记督办事项" in page and "“待交办”指已登记、尚未发给牵头单位" in page
    )


def test_office_hands_out_a_section_in_one_action(world, client_for, plan):
    fallback = services.today() + datetime.timedelta(days=90)
    response = client_for("office_admin").post(
        url(plan),
        {"section": [plan.first.pk], "cycle": "quarterly", "deadline": fallback.isoformat()},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "已交办2项" in body
    a1, a2 = item(plan.t1), item(plan.t2)
    assert a1.state == a2.state == "assigned" and a1.cycle == a2.cycle == "quarterly"
    assert a1.lead_unit == world.unit("市市场监管局") and a1.deadline == plan.t1.deadline
    assert [(c.unit, c.duty) for c in a1.co_units.all()] == [
        (world.unit("市住建局"), "负责建材产品部分")
    ]
    assert a2.lead_unit == world.unit("市住建局") and a2.deadline == fallback  # no own date
    assert item(plan.t3) is None and item(plan.t4) is None  # the other section is untouched
    # the lead units have their 签收 to-do and see the item
    mine = client_for("market_staff").get(reverse("tracking:mine")).content.decode()
    assert "请签收督办事项" in mine and plan.t1.title in mine


def test_a_whole_section_includes_its_sub_sections(world, client_for, plan):
    response = client_for("office_admin").post(
        url(plan), {"section": [plan.second.pk], "cycle": "monthly"}
    )
    body = response.content.decode()
    assert item(plan.t4).state == "assigned"
    assert item(plan.t3) is None and "提升家政服务质量" in body and "未确定牵头单位" in body


def test_all_tasks_no_lead_blocks_only_itself_and_no_duplicates(world, client_for, plan):
    client = client_for("office_admin")
    client.post(url(plan), {"task": [plan.t1.pk], "cycle": "monthly"})
    first = item(plan.t1)
    assert first.state == "assigned" and item(plan.t4) is None
    fallback = services.today() + datetime.timedelta(days=60)
    response = client.post(
        url(plan), {"all": "1", "cycle": "half_yearly", "deadline": fallback.isoformat()}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "已交办2项" in body and "未重复交办1项" in body and "未能交办1项" in body
    assert "未确定牵头单位" in body and "提升家政服务质量" in body
    assert Assignment.objects.filter(task=plan.t1).count() == 1
    assert item(plan.t1).pk == first.pk and item(plan.t1).cycle == "monthly"
    assert item(plan.t2).state == item(plan.t4).state == "assigned"
    assert item(plan.t4).cycle == "half_yearly" and item(plan.t3) is None


def test_some_tasks_and_one_date_for_all(world, client_for, plan):
    day = services.today() + datetime.timedelta(days=30)
    client_for("office_admin").post(
        url(plan),
        {
            "task": [plan.t1.pk, plan.t4.pk],
            "cycle": "monthly",
            "deadline": day.isoformat(),
            "deadline_mode": "all",
        },
    )
    assert item(plan.t1).deadline == item(plan.t4).deadline == day
    assert item(plan.t2) is None


def test_task_without_date_is_blocked_when_none_given(world, client_for, plan):
    body = (
        client_for("office_admin")
        .post(url(plan), {"task": [plan.t1.pk, plan.t2.pk], "cycle": "monthly"})
        .content.decode()
    )
    assert "任务没有完成时限" in body
    assert item(plan.t1).state == "assigned" and item(plan.t2) is None


def test_nothing_chosen_is_refused_and_nothing_written(world, client_for, plan):
    before = ChangeLog.objects.count()
    response = client_for("office_admin").post(url(plan), {"cycle": "monthly"})
    assert response.status_code == 400 and "请选择要交办的任务" in response.content.decode()
    assert ChangeLog.objects.count() == before and not Assignment.objects.filter(plan=plan)


@pytest.mark.parametrize(
    "handle", ["construction_staff", "market_staff", "inspector", "auditor", None]
)
def test_only_the_office_hands_out(world, client_for, plan, handle):
    before = (ChangeLog.objects.count(), Assignment.objects.count())
    client = client_for(handle)
    get = client.get(url(plan))
    post = client.post(url(plan), {"all": "1", "cycle": "monthly"})
    if handle is None:
        assert get.status_code == post.status_code == 302
        assert reverse("core:login") in post["Location"]
    else:
        assert get.status_code in (403, 404) and post.status_code in (403, 404)
    assert (ChangeLog.objects.count(), Assignment.objects.count()) == before


def test_task_page_offers_handout_and_the_form_has_a_task_field(world, client_for, plan):
    office = client_for("office_admin")
    task_page = reverse("plans:task_detail", args=[plan.t1.pk])
    offer = f"{url(plan)}?task={plan.t1.pk}"
    assert offer in office.get(task_page).content.decode()
    assert offer not in client_for("market_staff").get(task_page).content.decode()
    chosen = office.get(offer).content.decode()
    assert f'name="task" value="{plan.t1.pk}" aria-label="{plan.t1.title}" checked' in chosen
    # 登记交办事项 with a task: title, units, duties and deadline come from the task
    form = office.get(reverse("tracking:assign_new")).content.decode()
    assert 'name="task"' in form and plan.t4.title in form
    response = office.post(
        reverse("tracking:assign_new"),
        {"task": plan.t4.pk, "title": "", "lead_unit": "", "cycle": "monthly", "assign_now": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    a4 = item(plan.t4)
    assert a4.title == plan.t4.title and a4.lead_unit == world.unit("市农业农村局")
    assert a4.deadline == plan.t4.deadline and a4.state == "assigned" and a4.source == "plan"
    # the task page now leads to its 督办 item, and the form no longer offers the task
    assert (
        reverse("tracking:assignment_detail", args=[a4.pk])
        in office.get(reverse("plans:task_detail", args=[plan.t4.pk])).content.decode()
    )
    form = office.get(reverse("tracking:assign_new")).content.decode()
    assert plan.t4.title not in form and plan.t1.title in form


def test_a_reference_plan_is_not_handed_out(world, client_for, plan):
    Plan.objects.filter(pk=plan.pk).update(role="reference")
    response = client_for("office_admin").post(url(plan), {"all": "1", "cycle": "monthly"})
    assert response.status_code == 400 and "只对标目标" in response.content.decode()
    assert not Assignment.objects.filter(plan=plan).exists()


def test_handout_page_query_budget(world, client_for, plan, django_assert_max_num_queries):
    """The page costs the same few queries however many tasks the plan has."""
    client = client_for("office_admin")
    client.post(url(plan), {"task": [plan.t1.pk], "cycle": "monthly"})
    with django_assert_max_num_queries(15):
        assert client.get(url(plan)).status_code == 200


def test_a_draft_goes_out_with_the_deadline_and_cycle_chosen(world, client_for, plan):
    office = world.user("office_admin")
    draft = services.create_assignment(
        {"task": plan.t1, "deadline": services.today() + datetime.timedelta(days=200)}, office
    )
    assert draft.state == "draft" and draft.cycle != "half_yearly"
    day = services.today() + datetime.timedelta(days=45)
    client_for("office_admin").post(
        url(plan),
        {
            "task": [plan.t1.pk],
            "cycle": "half_yearly",
            "deadline": day.isoformat(),
            "deadline_mode": "all",
        },
    )
    sent = Assignment.objects.get(pk=draft.pk)
    assert (sent.state, sent.deadline, sent.cycle) == ("assigned", day, "half_yearly")
    assert ChangeLog.objects.filter(object_id=str(draft.pk), note__contains="报送周期").exists()
