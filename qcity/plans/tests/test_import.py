"""Upload → extraction job → review draft → import, with the bad input a user can give."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qcity.core import audit
from qcity.core.models import ChangeLog, Job, OrgUnit, Todo
from qcity.plans import services
from qcity.plans.choices import ImportStatus
from qcity.plans.demo import DATA
from qcity.plans.models import Plan, PlanImport, Responsibility, Section, Target, Task

SMALL_PLAN = """示例市2025年质量工作要点

一、工作目标
  2025年，全市食品抽检合格率达到98%以上，新增省级质量标杆企业3家，重点产品抽查合格率保持在96%左右。

二、重点工作
  1.开展质量提升专项行动。组织重点行业对标达标。（牵头单位：市市场监管局；配合单位：市工信局、市经贸协作中心）
  2.加强建设工程质量监督。推行质量安全手册。（牵头单位：市住建局）
"""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(world, name="plan.txt", content=SMALL_PLAN, **kwargs):
    data = content.encode("utf-8") if isinstance(content, str) else content
    admin = world.user("office_admin")
    with audit.acting_as(admin):
        return services.start_import(SimpleUploadedFile(name, data), admin, **kwargs)


def reviewed(world, content=SMALL_PLAN, name="plan.txt", **kwargs):
    imp, created = upload(world, name=name, content=content, **kwargs)
    assert created and imp.status == ImportStatus.REVIEW, imp.error
    return imp


def confirm_all(imp, world):
    admin = world.user("office_admin")
    services.auto_confirm_units(imp, admin)
    imp.refresh_from_db()
    for name, entry in imp.draft["units"].items():
        if not entry["confirmed"]:
            services.set_unit(imp, name, "new", admin)
    imp.refresh_from_db()
    return imp


# ---------------------------------------------------------------- upload and job
def test_upload_runs_extraction_job_and_builds_draft(world):
    imp = reviewed(world)
    assert Job.objects.get(pk=imp.job_id).kind == "plans.extract"
    draft = imp.draft
    assert draft["facts"]["default_year"] == 2025
    assert [t["title"] for t in draft["tasks"]] == ["开展质量提升专项行动", "加强建设工程质量监督"]
    assert draft["tasks"][0]["lead"] == ["市市场监管局"]
    assert draft["tasks"][0]["co"] == ["市工信局", "市经贸协作中心"]
    indicators = {t["indicator"] for t in draft["targets"]}
    assert "食品抽检合格率" in indicators
    units = draft["units"]
    assert units["市市场监管局"]["status"] == "exact"
    assert units["市经贸协作中心"]["status"] == "unresolved"
    assert not any(e["confirmed"] for e in units.values())
    assert Todo.objects.filter(kind="plans.review", done_at=None, object_id=str(imp.pk)).exists()
    assert not Plan.objects.filter(title__contains="2025年质量工作要点").exists()


def test_same_file_twice_is_recognised(world):
    first = reviewed(world)
    again, created = upload(world, name="renamed.txt")
    assert not created and again.pk == first.pk
    assert PlanImport.objects.filter(sha256=first.sha256).count() == 1


def test_upload_page_links_to_earlier_import(world, client_for):
    first = reviewed(world)
    before = (PlanImport.objects.count(), Job.objects.count())
    client = client_for("office_admin")
    response = client.post(
        "/plans/imports/new/",
        {"file": SimpleUploadedFile("again.txt", SMALL_PLAN.encode()), "role": "ours"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/plans/imports/{first.pk}/"
    assert "此前已上传" in response.content.decode()
    # the same file again: no second import and no second extraction job
    assert (PlanImport.objects.count(), Job.objects.count()) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "文件为空"),
        ("scan.doc", b"abc", "不支持的文件类型"),
    ],
)
def test_refused_before_a_job(world, name, content, message):
    before = (PlanImport.objects.count(), Job.objects.count())
    with pytest.raises(ValidationError, match=message):
        upload(world, name=name, content=content)
    assert (PlanImport.objects.count(), Job.objects.count()) == before


def test_file_over_limit_refused_before_reading(world, settings):
    settings.QCITY_MAX_UPLOAD_MB = 1

    class Huge(SimpleUploadedFile):
        def read(self, *a, **k):  # pragma: no cover - must not be reached
            raise AssertionError("the file was read")

        def chunks(self, *a, **k):  # pragma: no cover
            raise AssertionError("the file was read")

    huge = Huge("big.txt", b"x")
    huge.size = 1024 * 1024 + 1
    before = PlanImport.objects.count()
    with pytest.raises(ValidationError, match="超过 1 MB 的上限"):
        services.start_import(huge, world.user("office_admin"))
    assert PlanImport.objects.count() == before


def _other_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


def _image_only_pdf():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 300, 400, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("garbage.txt", bytes(range(256)) * 40, "二进制"),
        ("other.docx", _other_zip(), "不是Word文档"),
        ("scan.pdf", _image_only_pdf(), "OCR"),
    ],
)
def test_unreadable_file_fails_with_chinese_message(world, client_for, name, content, message):
    imp, created = upload(world, name=name, content=content)
    assert created and imp.status == ImportStatus.FAILED
    assert message in imp.error
    assert imp.draft is None
    page = client_for("office_admin").get(f"/plans/imports/{imp.pk}/")
    assert "识别失败" in page.content.decode() and message in page.content.decode()
    with pytest.raises(ValidationError):
        services.import_plan(imp, world.user("office_admin"))


# ---------------------------------------------------------------- review edits
def test_review_edits_are_saved_and_resumable(world):
    admin = world.user("office_admin")
    imp = reviewed(world)
    updates_before = audit.history(imp).filter(action="update").count()
    first, second = (t["key"] for t in imp.draft["tasks"])
    services.update_row(
        imp, "task", first, {"title": "开展质量提升行动", "deadline_text": "2025年底前"}, admin
    )
    services.split_row(imp, "task", second, admin, second="推行质量安全手册制度")
    services.add_row(
        imp,
        "target",
        {"indicator": "质量投诉按时办结率", "op": ">=", "value": "99", "unit": "%"},
        admin,
    )
    imp = PlanImport.objects.get(pk=imp.pk)  # a later visit sees the saved draft
    titles = [t["title"] for t in imp.draft["tasks"]]
    assert titles == ["开展质量提升行动", "加强建设工程质量监督", "推行质量安全手册制度"]
    assert imp.draft["tasks"][2]["lead"] == ["市住建局"]
    added = imp.draft["targets"][-1]
    assert added["indicator"] == "质量投诉按时办结率" and added["year"] == 2025
    services.merge_with_next(imp, "task", imp.draft["tasks"][1]["key"], admin)
    imp.refresh_from_db()
    assert len(imp.draft["tasks"]) == 2 and "推行质量安全手册制度" in imp.draft["tasks"][1]["body"]
    services.drop_row(imp, "target", added["key"], admin)
    imp.refresh_from_db()
    assert all(t["indicator"] != "质量投诉按时办结率" for t in imp.draft["targets"])
    # one change-log entry on this import per edit: update, split, add, merge, drop
    assert audit.history(imp).filter(action="update").count() == updates_before + 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "九十八"}, "不是数字"),
        ({"indicator": ""}, "指标名称不能为空"),
        ({"op": "range", "value": "5", "value_high": "3"}, "上限应大于下限"),
        ({"op": "range", "value_high": ""}, "区间目标需要填写上限"),
        ({"year": "20255"}, "1949至2100"),
        ({"op": "≈≈"}, "未知的比较方式"),
    ],
)
def test_bad_target_correction_is_refused_and_writes_nothing(world, data, message):
    imp = reviewed(world)
    before = imp.draft
    with pytest.raises(ValidationError, match=message):
        services.update_row(
            imp, "target", imp.draft["targets"][0]["key"], data, world.user("office_admin")
        )
    imp.refresh_from_db()
    assert imp.draft == before


def test_bad_task_and_fact_corrections(world):
    admin = world.user("office_admin")
    imp = reviewed(world)
    with pytest.raises(ValidationError, match="任务名称不能为空"):
        services.update_row(imp, "task", imp.draft["tasks"][0]["key"], {"title": " "}, admin)
    with pytest.raises(ValidationError, match="标题不能为空"):
        services.update_facts(imp, {"title": ""}, admin)
    with pytest.raises(ValidationError, match="不是有效日期"):
        services.update_facts(imp, {"title": "x", "signed_date": "2025-13-40"}, admin)
    with pytest.raises(ValidationError, match="截止年份不能早于起始年份"):
        services.update_facts(
            imp, {"title": "x", "period_start": "2027", "period_end": "2024"}, admin
        )
    with pytest.raises(ValidationError, match="不存在"):
        services.drop_row(imp, "task", "k999", admin)
    with pytest.raises(ValidationError, match="选择一个已登记的单位"):
        services.set_unit(imp, "市经贸协作中心", "abc", admin)


def test_unit_resolution_fuzzy_and_new(world):
    admin = world.user("office_admin")
    content = SMALL_PLAN.replace("市住建局", "市住房城乡建设局")
    imp = reviewed(world, content=content)
    entry = imp.draft["units"]["市住房城乡建设局"]
    assert entry["status"] in ("fuzzy", "unresolved") and entry["candidates"]
    assert entry["candidates"][0][1] == "示例市住房和城乡建设局"
    services.auto_confirm_units(imp, admin)
    imp.refresh_from_db()
    with pytest.raises(ValidationError, match="尚未确认"):
        services.import_plan(imp, admin)
    services.set_unit(imp, "市住房城乡建设局", str(world.unit("市住建局").pk), admin)
    services.set_unit(imp, "市经贸协作中心", "new", admin)
    plan = services.import_plan(PlanImport.objects.get(pk=imp.pk), admin)
    task = plan.tasks.get(title="加强建设工程质量监督")
    assert task.lead_unit == world.unit("市住建局")
    assert task.responsibilities.get().name_as_written == "市住房城乡建设局"
    created = OrgUnit.objects.get(name="市经贸协作中心")
    assert Responsibility.objects.filter(unit=created, role="co").exists()


# ---------------------------------------------------------------- import
def test_import_creates_plan_sections_tasks_responsibilities_targets(world):
    admin = world.user("office_admin")
    imp = confirm_all(reviewed(world), world)
    plan = services.import_plan(imp, admin)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.IMPORTED and imp.plan == plan
    assert plan.role == "ours" and plan.version == 1 and plan.is_current
    assert plan.source_sha256 == imp.sha256 and "重点工作" in plan.source_text
    assert Section.objects.filter(plan=plan).count() >= 2
    task = plan.tasks.get(number="1.")
    assert task.lead_unit == world.unit("市市场监管局")
    assert task.section is not None and "重点工作" in task.section.title
    roles = list(task.responsibilities.values_list("name_as_written", "role"))
    assert roles == [("市市场监管局", "lead"), ("市工信局", "co"), ("市经贸协作中心", "co")]
    food = plan.targets.get(indicator_text="食品抽检合格率")
    assert (food.op, food.value, food.unit, food.year) == (">=", 98, "%", 2025)
    about = plan.targets.get(op="~")
    assert about.value == 96 and about.span_end > about.span_start
    assert not Todo.objects.filter(
        kind="plans.review", object_id=str(imp.pk), done_at=None
    ).exists()
    with pytest.raises(ValidationError, match="不能再修改"):
        services.import_plan(imp, admin)


def test_range_target_imports_low_and_high(world):
    imp = confirm_all(
        reviewed(
            world,
            content=SMALL_PLAN.replace("新增省级质量标杆企业3家", "新增省级质量标杆企业2—4家"),
        ),
        world,
    )
    plan = services.import_plan(imp, world.user("office_admin"))
    target = plan.targets.get(op="range")
    assert (target.value, target.value_high, target.unit) == (2, 4, "家")


def test_import_is_whole_or_nothing(world, monkeypatch):
    imp = confirm_all(reviewed(world), world)
    counts = (Plan.objects.count(), Task.objects.count(), Responsibility.objects.count())
    logs = ChangeLog.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_create_targets", boom)  # after plan, sections and tasks
    with pytest.raises(RuntimeError):
        services.import_plan(imp, world.user("office_admin"))
    assert (Plan.objects.count(), Task.objects.count(), Responsibility.objects.count()) == counts
    assert ChangeLog.objects.count() == logs
    imp.refresh_from_db()
    assert imp.status == ImportStatus.REVIEW and imp.plan is None


def test_reference_plan_imports_targets_only(world):
    path = DATA / "shili_province_plan.txt"
    content = path.read_text(encoding="utf-8").replace("300项", "320项")
    imp = reviewed(world, content=content, name="province.txt", role="reference")
    plan = services.import_plan(imp, world.user("office_admin"))
    assert plan.role == "reference"
    assert plan.tasks.count() == 0 and plan.targets.count() == 6


def test_document_without_tasks_or_targets_needs_confirmation(world):
    admin = world.user("office_admin")
    notice = "示例市市场监管局关于召开质量工作会议的通知\n\n各有关单位：\n  定于下周召开质量工作会议，请准时参加。\n"
    imp = reviewed(world, content=notice, name="notice.txt")
    assert not imp.draft["tasks"] and not imp.draft["targets"]
    plans = Plan.objects.count()
    with pytest.raises(ValidationError, match="确认导入空规划"):
        services.import_plan(imp, admin)
    imp.refresh_from_db()  # what was stored, not the object in hand
    assert imp.plan is None and imp.status == ImportStatus.REVIEW
    assert Plan.objects.count() == plans
    services.set_options(imp, admin, confirm_empty=True)
    plan = services.import_plan(PlanImport.objects.get(pk=imp.pk), admin)
    assert plan.tasks.count() == 0 and plan.targets.count() == 0


def test_discard(world):
    admin = world.user("office_admin")
    imp = reviewed(world)
    services.discard_import(imp, admin)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DISCARDED
    with pytest.raises(ValidationError):
        services.update_row(imp, "task", "k1", {"title": "x"}, admin)
    again, created = upload(world)  # a discarded file may be uploaded again
    assert created and again.pk != imp.pk


def test_demo_plan_is_imported_with_stable_title(world):
    from qcity.plans.demo import CITY_PLAN_NAME, PROVINCE_PLAN_NAME, plan_title, plan_years

    plan = Plan.objects.get(title=plan_title(CITY_PLAN_NAME), is_current=True)
    assert plan.role == "ours" and plan.aligned_to.title == plan_title(PROVINCE_PLAN_NAME)
    assert (plan.period_start, plan.period_end) == plan_years()
    assert plan.tasks.count() >= 12 and services.plan_level_targets(plan).count() >= 12
    own = services.plan_level_targets(plan)  # later demos add per-district shares
    food = own.get(indicator_text="食品抽检合格率")
    assert (food.op, food.value, food.year) == (">=", 98.5, plan_years()[1])
    assert set(own.values_list("kind", flat=True)) >= {
        "level",
        "new",
        "cumulative",
        "change",
    }
    assert set(own.values_list("op", flat=True)) >= {">=", "~", "range"}
    assert not plan.tasks.filter(lead_unit=None).exists()
    assert Target.objects.filter(plan__title=plan_title(PROVINCE_PLAN_NAME)).count() >= 5
