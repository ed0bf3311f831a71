"""Staff pages for the register workbook: import (upload → preview → confirm),
the blank template and the export.

The work is done by Celery tasks (communities/tasks.py, communities/excel/jobs.py):
an upload becomes a RegisterImport job, checked in the background for the
preview; once its uploader confirms, imported in the background. Meanwhile the
job's page shows the progress: it refreshes itself without JavaScript, and with
it polls the JSON progress endpoint (static/js/register_import.js). A job's
pages answer its uploader only; anyone else gets 404.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from baitang.decorators import office_staff_required

from . import excel, exports
from .excel import jobs
from .models import RegisterImport
from .views import chosen_ids, register_export_response

ERRORS_SHOWN = 200
# Without JavaScript a running job's page reloads itself this often (seconds).
REFRESH_SECONDS = 2


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


def _render(request, context, status=200):
    job = context.get("job")
    if job is not None:
        report = excel.ImportReport.from_json(
            {
                "errors": job.errors,
                "counts": job.counts,
                "preview": job.preview,
            },
            dry_run=job.status == RegisterImport.Status.CHECKED,
        )
        context["report"] = report
        context["errors_shown"] = report.errors[:ERRORS_SHOWN]
        context["errors_hidden"] = max(0, job.error_total - ERRORS_SHOWN)
        context["error_total"] = job.error_total
    context.setdefault("form", RegisterUploadForm())
    context.setdefault("running", jobs.running_job_of(request.user))
    context["max_size"] = filesizeformat(settings.REGISTER_IMPORT_MAX_BYTES)
    return render(request, "communities/register_import.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def register_import(request):
    """GET: the upload form. POST a file: it becomes a job whose check runs in
    the background; the browser goes to the job's page."""
    if request.method != "POST":
        return _render(request, {})
    form = RegisterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, {"form": form}, status=400)
    try:
        job = jobs.import_job_start(
            upload=form.cleaned_data["file"], actor=request.user
        )
    except ValidationError as error:
        form.add_error("file", error)
        return _render(request, {"form": form}, status=409)
    return redirect(job)


def _job_of(request, pk) -> RegisterImport:
    return get_object_or_404(RegisterImport, pk=pk, created_by=request.user)


def _progress_text(job: RegisterImport) -> str:
    if job.status in (RegisterImport.Status.QUEUED, RegisterImport.Status.CONFIRMED):
        return _("排队中，马上开始……")
    text = _("%(phase)s：%(progress)s%%") % {
        "phase": job.get_phase_display() or job.get_status_display(),
        "progress": job.progress,
    }
    if job.rows_read:
        text += _("（已读取 %(rows)s 行）") % {"rows": f"{job.rows_read:,}"}
    return text


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def register_import_job(request, pk):
    """A job's page: its progress while a task works on it, then its preview
    (with confirm and cancel), its errors, or what was imported."""
    job = _job_of(request, pk)
    if job.is_running and job.updated_at < timezone.now() - jobs.STALE_AFTER:
        jobs.expire_stale_jobs()  # its task vanished: show it as failed
        job.refresh_from_db()
    if request.method == "POST":
        return _job_action(request, job)
    if job.is_running:
        return render(
            request,
            "communities/import_progress.html",
            {
                "job": job,
                "progress_text": _progress_text(job),
                "refresh_seconds": REFRESH_SECONDS,
            },
        )
    return _render(request, {"job": job})


def _job_action(request, job: RegisterImport):
    action = request.POST.get("action")
    try:
        if action == "confirm":
            jobs.import_job_confirm(job=job, actor=request.user)
        elif action == "cancel":
            jobs.import_job_cancel(job=job, actor=request.user)
            return redirect("communities:register_import")
        else:
            return HttpResponseBadRequest(_("未知的操作。"))
    except ValidationError as error:
        job.refresh_from_db()
        return _render(
            request, {"job": job, "action_error": " ".join(error.messages)}, status=409
        )
    return redirect(job)


@never_cache
@require_safe
@office_staff_required
def register_import_progress(request, pk):
    """A job's progress as JSON, for the page's script."""
    job = _job_of(request, pk)
    if job.is_running and job.updated_at < timezone.now() - jobs.STALE_AFTER:
        jobs.expire_stale_jobs()
        job.refresh_from_db()
    return JsonResponse(
        {
            "status": job.status,
            "running": job.is_running,
            "progress": job.progress,
            "rows_read": job.rows_read,
            "text": _progress_text(job) if job.is_running else job.get_status_display(),
        }
    )


@require_safe
@office_staff_required
def register_template(request):
    """The blank register workbook, with its help sheet."""
    return excel.xlsx_response(excel.blank_template(), _("小区登记表模板.xlsx"))


@require_safe
@office_staff_required
def register_export(request):
    """The estates the user may see (or those of ?ids=1,2,3) as a workbook; a
    large one is offered as a background export (views.register_export_response)."""
    ids = chosen_ids(request.GET.get("ids", ""))
    if ids is None:
        return HttpResponseBadRequest(_("参数 ids 应为用逗号分隔的小区编号。"))
    return register_export_response(
        request, filters=exports.filters_of({}, ids), may_queue=False
    )
