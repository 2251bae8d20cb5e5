import traceback

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qcity.core import demo


class Command(BaseCommand):
    help = "Build the demo world 示例市 (idempotent, fixed seed). Refuses a database holding real data."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "full"], default="small")

    def handle(self, *args, size, **options):
        try:
            world = demo.build(size)
        except demo.NotADemoDatabase as exc:
            raise CommandError(str(exc))
        except Exception as exc:  # a person runs this: a short message, the details in a file
            raise CommandError(self._failure(exc))
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪（{size}）：{len(world.units)} 个单位，{len(world.users)} 个用户"
            )
        )
        self.stdout.write(
            "登录：http://127.0.0.1:8000/  用户名 admin / scjg / zjj / jb_scjg / inspector1 / auditor"
        )
        self.stdout.write(f"演示密码：{demo.DEMO_PASSWORD}")

    def _failure(self, exc) -> str:
        log = settings.VAR_DIR / "demo-error.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"--- {timezone.now().isoformat()}\n")
                handle.write(traceback.format_exc())
            where = f"详细信息已写入 {log}"
        except OSError:
            where = "详细信息无法写入日志文件"
        return (
            f"演示数据生成失败，已全部回滚，数据库未被改动。原因：{exc}\n"
            f"{where}。可直接重新运行 make run；若仍失败，请删除 var/ 目录后重试，"
            "或将该日志附在问题报告中。"
        )
