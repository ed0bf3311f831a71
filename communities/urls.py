from django.conf import settings
from django.urls import path

from communities import media_views, register_views, views

app_name = "communities"

urlpatterns = [
    path("estates/", views.estate_overview, name="estate_overview"),
    path("estates/<int:pk>/", views.estate_profile, name="estate_profile"),
    path("estates/import/", register_views.register_import, name="register_import"),
    path(
        "estates/import/<uuid:pk>/",
        register_views.register_import_job,
        name="register_import_job",
    ),
    path(
        "estates/import/<uuid:pk>/progress.json",
        register_views.register_import_progress,
        name="register_import_progress",
    ),
    path(
        "estates/import/template.xlsx",
        register_views.register_template,
        name="register_template",
    ),
    path("estates/export.xlsx", register_views.register_export, name="register_export"),
    path("estates/export/", views.estate_export, name="estate_export"),
    path(
        "estates/export/<uuid:pk>/", views.estate_export_job, name="estate_export_job"
    ),
    path(
        "estates/export/<uuid:pk>/download/",
        views.estate_export_download,
        name="estate_export_download",
    ),
    # Uploaded files, in production too: each request is checked against the
    # user's scope (photos of homes are not public).
    path(
        f"{settings.MEDIA_URL.strip('/')}/<path:path>",
        media_views.protected_media,
        name="media",
    ),
]
