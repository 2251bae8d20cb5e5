import time

from django.core.management.base import BaseCommand

from qcity.core import jobs


class Command(BaseCommand):
    help = "Run queued background jobs and the periodic tick (deadline scans). Use --once in cron or tests."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--sleep", type=float, default=2.0)

    def handle(self, *args, once, sleep, **options):
        last_run = {}
        while True:
            ran = jobs.run_pending()
            jobs.tick(last_run=last_run)
            if once:
                self.stdout.write(f"ran {ran} job(s)")
                return
            if not ran:
                time.sleep(sleep)
