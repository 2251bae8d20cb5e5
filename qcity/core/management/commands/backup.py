import gzip
import json
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Write a backup archive (.tar.gz): all data as JSON plus uploaded files. Restore with `qcity restore`."

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        archive = Path(archive)
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
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(data, "data.json.gz")
                tar.add(manifest, "manifest.json")
                if Path(settings.MEDIA_ROOT).exists():
                    tar.add(settings.MEDIA_ROOT, "media")
        self.stdout.write(self.style.SUCCESS(f"备份已写入 {archive}"))
