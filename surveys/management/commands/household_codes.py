"""Household access codes for printing: a CSV list or the A4 sheets of slips.

    python manage.py household_codes --estate 藤翠苑7号小区 [--building 3栋] \
        --format csv|html [--output FILE]

Households without an active code get one first (access_codes_ensure, as the
platform itself); existing codes are kept, so printing twice prints the same
slips. The HTML file carries its stylesheet and QR codes inline: it needs
nothing else to print.
"""

import csv
import io
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from baitang.roles import SYSTEM
from communities.excel import neutralise
from communities.models import Building, Estate
from surveys import services
from surveys.codes import format_code
from surveys.slips import household_url, households_with_codes, slip_sheets, slips_css


class Command(BaseCommand):
    help = (
        "Print household access codes of an estate (or one building): a CSV list "
        "or print-ready A4 slips with QR codes. Issues missing codes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--estate", required=True, help="estate name (小区名称)")
        parser.add_argument(
            "--community", help="community name, when estate names repeat"
        )
        parser.add_argument("--building", help="only this building, by name (3栋 or 3)")
        parser.add_argument(
            "--format", choices=["csv", "html"], default="html", dest="output_format"
        )
        parser.add_argument(
            "--output", "-o", help="file to write (default: standard output)"
        )

    def handle(self, *args, estate, community, building, output_format, output, **_o):
        with translation.override("zh-hans"):
            found = self._estate(estate, community)
            chosen = self._building(found, building) if building else None
            with transaction.atomic():
                issued = services.access_codes_ensure(
                    estate=found, building=chosen, actor=SYSTEM
                )
                link = (
                    services.open_link_ensure(estate=found, actor=SYSTEM)
                    if output_format == "html"
                    else None
                )
            households = list(households_with_codes(estate=found, building=chosen))
            if output_format == "csv":
                text = self._csv(households)
            else:
                text = render_to_string(
                    "surveys/staff/slips_document.html",
                    {
                        "estate": found,
                        "building": chosen,
                        "sheets": slip_sheets(
                            estate=found, households=households, open_link=link
                        ),
                        "css": slips_css(),
                    },
                )
            summary = _("%(count)s 户，其中新发放访问码 %(issued)s 户。") % {
                "count": len(households),
                "issued": issued,
            }
        if output:
            # A BOM lets Excel on Chinese Windows open the CSV as UTF-8.
            encoding = "utf-8-sig" if output_format == "csv" else "utf-8"
            Path(output).write_text(text, encoding=encoding, newline="")
            self.stdout.write(self.style.SUCCESS(f"{output}：{summary}"))
        else:
            self.stdout.write(text, ending="")
            sys.stderr.write(summary + "\n")

    def _estate(self, name: str, community: str | None) -> Estate:
        estates = Estate.objects.filter(name=name.strip()).select_related("community")
        if community:
            estates = estates.filter(
                community__name__in=[community.strip(), f"{community.strip()}社区"]
            )
        found = list(estates[:10])
        if not found:
            raise CommandError(_("小区「%(name)s」不存在。") % {"name": name})
        if len(found) > 1:
            names = "、".join(estate.community.name for estate in found)
            raise CommandError(
                _("有多个小区叫「%(name)s」（%(communities)s），请加 --community。")
                % {"name": name, "communities": names}
            )
        return found[0]

    def _building(self, estate: Estate, name: str) -> Building:
        name = name.strip()
        found = estate.buildings.filter(name__in=[name, f"{name}栋"]).first()
        if found is None:
            raise CommandError(
                _("小区「%(estate)s」没有楼栋「%(name)s」。")
                % {"estate": estate.name, "name": name}
            )
        return found

    def _csv(self, households) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([_("楼栋"), _("单元"), _("房号"), _("访问码"), _("链接")])
        for household in households:
            writer.writerow(
                [
                    neutralise(household.building.name),
                    household.unit,
                    neutralise(household.number),
                    format_code(household.code),
                    household_url(household.code),
                ]
            )
        return buffer.getvalue()
