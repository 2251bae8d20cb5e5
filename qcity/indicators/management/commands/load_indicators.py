from django.core.management.base import BaseCommand

from qcity.indicators import services


class Command(BaseCommand):
    help = "Load the indicator library fixture (adds missing indicators, never overwrites edits)."

    def handle(self, *args, **options):
        created = services.load_library()
        self.stdout.write(f"指标库：新增 {created} 项")
