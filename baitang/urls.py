from django.contrib import admin
from django.urls import include, path

from baitang import token_views, views

api_v1 = [
    path("", include("communities.api.urls")),
    path("", include("surveys.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.switch_language, name="switch_language"),
    path("elder-mode/", views.switch_elder_mode, name="elder_mode"),
    path("admin/", admin.site.urls),
    path("account/tokens/", token_views.token_list, name="account_tokens"),
    path("account/tokens/issue/", token_views.token_issue, name="account_token_issue"),
    path(
        "account/tokens/<int:user_id>/revoke/",
        token_views.token_revoke,
        name="account_token_revoke",
    ),
    path("api/v1/", include(api_v1)),
    path("api/schema/", views.ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", views.api_docs, name="api-docs"),
    path("", include("communities.urls")),
    path("", include("surveys.urls")),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
