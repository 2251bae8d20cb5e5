"""``qcity restore ARCHIVE --yes``: replace this database's data with a ``qcity backup``
archive; an encrypted archive needs the QCITY_BACKUP_KEY it was written with."""

import io
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.management import create_contenttypes
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qcity.core import backupcrypt


class Command(BaseCommand):
    help = "Restore a `qcity backup` archive into this (migrated) database, replacing its data."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive, yes, **options):
        archive = Path(archive)
        if not archive.exists():
            raise CommandError(f"备份文件不存在：{archive}")
        if not yes and input("恢复将清空当前数据库中的全部数据，输入 yes 继续：").strip() != "yes":
            raise CommandError("已取消")
        plain = backupcrypt.read_archive(archive)  # refuses a missing or wrong key first
        with tempfile.TemporaryDirectory() as tmp:
            try:
                with tarfile.open(fileobj=io.BytesIO(plain), mode="r:gz") as tar:
                    tar.extractall(tmp, filter="data")
            except (tarfile.TarError, OSError) as exc:
                raise CommandError(f"备份文件已损坏或格式不对：{exc}")
            data = Path(tmp) / "data.json.gz"
            if not data.exists():
                raise CommandError("备份文件中没有 data.json.gz")
            with transaction.atomic():
                # no post_migrate: it would re-create the rule table and the indicator library
                # under new ids, and the backup's own rows would collide with them; only the
                # content types (left out of the backup, referred to by natural key) come back
                call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
                for config in apps.get_app_configs():
                    create_contenttypes(config, verbosity=0)
                call_command("loaddata", str(data), verbosity=0)
            media = Path(tmp) / "media"
            if media.exists():
                shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        self.stdout.write(self.style.SUCCESS(f"已从 {archive} 恢复"))
