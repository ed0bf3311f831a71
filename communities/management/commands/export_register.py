from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.excel import export_register
from communities.models import Community, Estate


class Command(BaseCommand):
    help = (
        "Export the estate register (all estates, or one community's) to an .xlsx "
        "workbook in the import layout."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="where to write (default: 小区登记-<date>.xlsx)"
        )
        parser.add_argument("--community", help="only this community, by name")

    def handle(self, *args, output, community, **options):
        estates = Estate.objects.all()
        if community:
            found = Community.objects.filter(
                name__in=[community.strip(), f"{community.strip()}社区"]
            ).first()
            if found is None:
                raise CommandError(_("社区「%(name)s」不存在。") % {"name": community})
            estates = estates.filter(community=found)
        path = Path(output or f"{_('小区登记')}-{timezone.localdate():%Y%m%d}.xlsx")
        path.write_bytes(export_register(estates))
        self.stdout.write(
            self.style.SUCCESS(
                _("已导出 %(count)s 个小区到 %(path)s")
                % {"count": estates.count(), "path": path}
            )
        )
