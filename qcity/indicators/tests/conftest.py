import pytest


@pytest.fixture
def actor(world):
    """Data made in a test is made by the office administrator (no anonymous change)."""
    from qcity.core import audit

    with audit.acting_as(world.user("office_admin"), label="test"):
        yield world.user("office_admin")
