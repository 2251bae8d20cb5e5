import pytest
from django.core.management import call_command

from qcity.core.models import OrgUnit


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_data_back(tmp_path):
    from qcity.core import demo

    demo.build("small")
    archive = tmp_path / "qcity.tar.gz"
    call_command("backup", str(archive))
    count = OrgUnit.objects.count()
    OrgUnit.objects.filter(name="示例市统计局").update(short_name="改过的")
    call_command("restore", str(archive), "--yes")
    assert OrgUnit.objects.count() == count
    assert OrgUnit.objects.get(name="示例市统计局").short_name == "市统计局"


def test_restore_refuses_a_broken_archive(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="损坏"):
        call_command("restore", str(bad), "--yes")
