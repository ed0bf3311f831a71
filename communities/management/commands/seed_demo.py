from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from communities.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo register and one demo login per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even when DEBUG is off (never on a real installation).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo 只用于演示环境（DEBUG=1）；确需执行请加 --force。"
            )
        summary = seed_demo()
        self.stdout.write(self.style.SUCCESS(summary.describe()))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, description in summary.logins:
            self.stdout.write(f"  {username:<16} {description}")
