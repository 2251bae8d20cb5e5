import datetime

import pytest

# The published tables in these tests were sampled and reported between January and April
# 2026; the importer refuses dates after today, so the tests that import them play on a day
# after the last of those dates, whatever the wall clock (or QCITY_TEST_TODAY) says.
SCENARIO_DAY = datetime.date(2026, 6, 30)  # test_sampling.SCENARIO_DAY names the same day


@pytest.fixture
def scenario_day():
    import time_machine

    from qcity.conftest import frozen_start

    with time_machine.travel(frozen_start(SCENARIO_DAY), tick=True):
        yield SCENARIO_DAY
