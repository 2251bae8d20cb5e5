"""``qcity backup ARCHIVE``: all data as JSON plus uploaded files, in one .tar.gz written 0600
(folder 0700), encrypted when QCITY_BACKUP_KEY is set (core/backupcrypt.py, docs/deploy.md)."""

import gzip
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from qcity.core import backupcrypt


class Command(BaseCommand):
    help = (
        "Write a backup archive (.tar.gz, mode 0600; encrypted when QCITY_BACKUP_KEY is set): "
        "all data as JSON plus uploaded files. Restore with `qcity restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", nargs="?")
        parser.add_argument(
            "--new-key", action="store_true", help="print a new key for QCITY_BACKUP_KEY and stop"
        )

    def handle(self, *args, archive=None, new_key=False, **options):
        if new_key:
            self.stdout.write(backupcrypt.new_key())
            return
        if not archive:
            raise CommandError("请给出备份文件路径，例如 qcity backup /backup/qcity.tar.gz")
        archive = Path(archive)
        backupcrypt.fernet()  # a malformed key is refused before any work
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data.json.gz"
            with gzip.open(data, "wt", encoding="utf-8") as fh:
                call_command(
                    "dumpdata",
                    "--natural-foreign",
                    "--exclude=contenttypes",
                    "--exclude=auth.permission",
                    "--exclude=sessions",
                    stdout=fh,
                )
            manifest = Path(tmp) / "manifest.json"
            manifest.write_text(
                json.dumps({"format": 1, "database": settings.DATABASES["default"]["ENGINE"]})
            )
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
                tar.add(data, "data.json.gz")
                tar.add(manifest, "manifest.json")
                if Path(settings.MEDIA_ROOT).exists():
                    tar.add(settings.MEDIA_ROOT, "media")
        encrypted = backupcrypt.write_private(archive, buffer.getvalue())
        if backupcrypt.folder_is_shared(archive):
            self.stderr.write(
                f"注意：备份所在目录 {archive.parent} 其他用户也可访问，建议设为 0700"
            )
        note = "（已加密）" if encrypted else "（未加密：设置 QCITY_BACKUP_KEY 可加密）"
        self.stdout.write(self.style.SUCCESS(f"备份已写入 {archive}{note}"))
