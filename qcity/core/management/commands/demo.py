from django.core.management.base import BaseCommand, CommandError

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
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪（{size}）：{len(world.units)} 个单位，{len(world.users)} 个用户"
            )
        )
        self.stdout.write(
            "登录：http://127.0.0.1:8000/  用户名 admin / scjg / zjj / jb_scjg / inspector1 / auditor"
        )
        self.stdout.write(f"演示密码：{demo.DEMO_PASSWORD}")
