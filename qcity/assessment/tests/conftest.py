import datetime
from decimal import Decimal

import pytest

from qcity.assessment import services
from qcity.assessment.models import AssessmentFact
from qcity.core import audit
from qcity.tracking import services as tracking
from qcity.tracking.demo import evidence

YEAR = 2031  # a year no demo data touches


def subjects(world, codes):
    return [s for s in services.district_subjects() if s[1].code in codes]


@pytest.fixture
def scheme(world):
    office = world.user("office_admin")
    scheme = services.create_scheme(
        {"year": YEAR, "name": f"{YEAR}年度区县质量工作考核方案"}, office
    )
    jb, xg = world.districts[0], world.districts[4]
    with audit.acting_as(office):
        AssessmentFact.objects.create(
            year=YEAR, kind="award", region=jb, points=Decimal("3"), description="获省长质量奖"
        )
        AssessmentFact.objects.create(
            year=YEAR, kind="incident", region=xg, description="发生区域性食品安全事件"
        )
    # tasks of the districts: 江北 one on time and one late, 江南 one still open past deadline
    jb_gov, jn_gov = world.unit("江北区政府"), world.unit("江南区政府")
    for lead, deadline, closed in [
        (jb_gov, datetime.date(YEAR, 6, 30), datetime.date(YEAR, 6, 20)),
        (jb_gov, datetime.date(YEAR, 6, 30), datetime.date(YEAR, 7, 20)),
        (jn_gov, datetime.date(YEAR, 6, 30), None),
    ]:
        a = tracking.create_assignment(
            {
                "title": f"{lead}年度任务",
                "lead_unit": lead,
                "deadline": deadline,
                "cycle": "half_yearly",
            },
            office,
        )
        tracking.assign(a, office, on=datetime.date(YEAR, 1, 4))
        tracking.sign(a, office, on=datetime.date(YEAR, 1, 5))
        if closed:
            tracking.request_close(a, office, "完成", [evidence("完成情况.pdf")])
            tracking.verify_close(a, office, on=closed)
    return scheme


@pytest.fixture
def started(world, scheme):
    return services.start(
        scheme,
        subjects(world, {"990102", "990103", "990111"}),
        world.user("office_admin"),
        on=datetime.date(YEAR, 12, 31),
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
