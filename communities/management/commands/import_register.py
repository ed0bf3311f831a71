from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from baitang.roles import SYSTEM
from communities.excel import import_register


class Command(BaseCommand):
    help = (
        "Import the estate register (小区/楼栋/户 sheets) from an .xlsx workbook. "
        "All or nothing: any bad row is reported and nothing is written. Runs as "
        "the system (street office rights), in this process, not in Celery."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check everything and report, but write nothing",
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": file})
        report = import_register(path, actor=SYSTEM, dry_run=dry_run)
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(
                _("共 %(count)s 处错误，未写入任何数据。")
                % {"count": len(report.errors)}
            )
        for line in report.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(_("试运行：以上是将要进行的更改，未写入任何数据。"))
        else:
            self.stdout.write(self.style.SUCCESS(_("导入完成。")))
