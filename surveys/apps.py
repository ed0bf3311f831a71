from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("居民点单")

    def ready(self):
        from communities.media_views import MEDIA_LOOKUPS

        from .media import answer_photo_file, meeting_photo_file, menu_picture_file

        for lookup in (answer_photo_file, meeting_photo_file, menu_picture_file):
            if lookup not in MEDIA_LOOKUPS:
                MEDIA_LOOKUPS.append(lookup)

        from communities.demo import register_demo_extension

        from .demo import seed_surveys_demo

        register_demo_extension(seed_surveys_demo)
