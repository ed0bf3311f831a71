"""Staff pages for the register workbook: import (upload → preview → confirm),
the blank template and the export.

Between preview and confirm the upload waits under
settings.REGISTER_IMPORT_DIR/<token>.xlsx, outside MEDIA_ROOT so no web
server ever serves it. The token is 256 random bits kept in
the uploader's session, so only the uploader can confirm it, and it is checked
against a strict pattern before it becomes part of a path.
"""

import os
import re
import secrets
import time
from functools import wraps
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from baitang.roles import community_ids_of, is_office_staff, is_street_staff

from . import excel
from .permissions import estates_visible_to

SESSION_KEY = "register_import"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
STALE_SECONDS = 24 * 3600
ERRORS_SHOWN = 200


def office_staff_required(view):
    """Log in first; then only street and community staff, others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_office_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("登记表文件"),
        help_text=gettext_lazy("Excel 工作簿（.xlsx），按空白模板的格式填写。"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.REGISTER_IMPORT_MAX_BYTES:
            raise ValidationError(
                _("文件太大（%(size)s），最大允许 %(limit)s。")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.REGISTER_IMPORT_MAX_BYTES),
                }
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(
                _("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
            )
        return upload


def _allowed_communities(user):
    return None if is_street_staff(user) else community_ids_of(user)


def _upload_dir() -> Path:
    return Path(settings.REGISTER_IMPORT_DIR)


def _pending_path(token: str) -> Path | None:
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return _upload_dir() / f"{token}.xlsx"


def _discard(request) -> None:
    """Forget the user's pending upload and delete its file."""
    pending = request.session.pop(SESSION_KEY, None) or {}
    path = _pending_path(pending.get("token", ""))
    if path is not None:
        path.unlink(missing_ok=True)


def _sweep_stale() -> None:
    """Delete uploads nobody confirmed within a day."""
    folder = _upload_dir()
    if not folder.is_dir():
        return
    cutoff = time.time() - STALE_SECONDS
    for path in folder.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def _keep(request, upload) -> str:
    """Store the previewed upload until the user confirms; return its token."""
    _discard(request)
    _sweep_stale()
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(
        folder / f"{token}.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
    )
    with os.fdopen(descriptor, "wb") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
    request.session[SESSION_KEY] = {"token": token, "name": upload.name[-120:]}
    return token


def _render(request, context, status=200):
    report = context.get("report")
    if report is not None:
        context["errors_shown"] = report.errors[:ERRORS_SHOWN]
        context["errors_hidden"] = max(0, len(report.errors) - ERRORS_SHOWN)
    context.setdefault("form", RegisterUploadForm())
    context["max_size"] = filesizeformat(settings.REGISTER_IMPORT_MAX_BYTES)
    return render(request, "communities/register_import.html", context, status=status)


@require_http_methods(["GET", "POST"])
@office_staff_required
def register_import(request):
    """GET: the upload form. POST a file: a dry run and its preview. POST the
    preview's token: the real import, then back to the estate list."""
    if request.method == "POST" and "cancel" in request.POST:
        _discard(request)
        return redirect("communities:register_import")
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    if request.method == "GET":
        return _render(request, {})
    form = RegisterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    report = excel.import_register(
        upload,
        actor=request.user,
        dry_run=True,
        allowed_community_ids=_allowed_communities(request.user),
    )
    context = {"form": form, "report": report, "file_name": upload.name}
    if report.ok:
        context["token"] = _keep(request, upload)
    return _render(request, context)


def _confirm(request):
    pending = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    path = _pending_path(token)
    if (
        path is None
        or not constant_time_compare(token, pending.get("token", ""))
        or not path.is_file()
    ):
        messages.error(request, _("导入预览已失效，请重新上传文件。"))
        return redirect("communities:register_import")
    report = excel.import_register(
        path,
        actor=request.user,
        dry_run=False,
        allowed_community_ids=_allowed_communities(request.user),
    )
    _discard(request)
    if not report.ok:
        # The register changed between preview and confirm.
        return _render(
            request, {"report": report, "file_name": pending.get("name", "")}
        )
    messages.success(
        request,
        _("登记表已导入：%(summary)s。")
        % {"summary": "；".join(report.summary_lines())},
    )
    return redirect("admin:communities_estate_changelist")


@require_GET
@office_staff_required
def register_template(request):
    """The blank register workbook, with its help sheet."""
    return excel.xlsx_response(excel.blank_template(), _("小区登记表模板.xlsx"))


@require_GET
@office_staff_required
def register_export(request):
    """The estates the user may see (or those of ?ids=1,2,3) as a workbook."""
    estates = estates_visible_to(request.user)
    ids = request.GET.get("ids", "").strip()
    if ids:
        try:
            wanted = {int(part) for part in ids.split(",") if part.strip()}
        except ValueError:
            return HttpResponseBadRequest(_("参数 ids 应为用逗号分隔的小区编号。"))
        estates = estates.filter(pk__in=wanted)
    name = _("小区登记-%(date)s.xlsx") % {"date": f"{timezone.localdate():%Y%m%d}"}
    return excel.xlsx_response(excel.export_register(estates), name)
