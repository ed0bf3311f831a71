from django.urls import path

from surveys import staff_views, views

app_name = "surveys"

urlpatterns = [
    # Residents, through a household's access code or an estate's open link
    # (surveys/views.py).
    path("s/", views.code_entry, name="code_entry"),
    path("s/<str:code>/", views.household_page, name="household"),
    path("s/<str:code>/c/<int:campaign_id>/", views.campaign_page, name="campaign"),
    path("s/<str:code>/v/<int:vote_id>/", views.ballot_page, name="ballot"),
    path("o/<str:token>/", views.opinion_page, name="opinion"),
    # Office staff (surveys/staff_views.py).
    path("surveys/", staff_views.campaign_list, name="campaign_list"),
    path("surveys/campaigns/", staff_views.campaign_list, name="campaigns"),
    path(
        "surveys/campaigns/<int:pk>/results/",
        staff_views.campaign_results,
        name="campaign_results",
    ),
    path(
        "surveys/campaigns/<int:pk>/results.xlsx",
        staff_views.campaign_results_export,
        name="campaign_results_export",
    ),
    path(
        "surveys/campaigns/<int:pk>/words/",
        staff_views.campaign_words,
        name="campaign_words",
    ),
    path(
        "surveys/campaigns/<int:pk>/words/<int:answer_pk>/reply/",
        staff_views.campaign_word_reply,
        name="campaign_word_reply",
    ),
    path(
        "surveys/campaigns/<int:pk>/paper/",
        staff_views.campaign_paper,
        name="campaign_paper",
    ),
    path(
        "surveys/campaigns/<int:pk>/status/",
        staff_views.campaign_status,
        name="campaign_status",
    ),
    path(
        "surveys/campaigns/<int:pk>/copy/",
        staff_views.campaign_copy,
        name="campaign_copy",
    ),
    path("surveys/votes/", staff_views.vote_list, name="vote_list"),
    path("surveys/votes/<int:pk>/", staff_views.vote_result, name="vote_result"),
    path(
        "surveys/votes/<int:pk>/status/",
        staff_views.vote_status,
        name="vote_status",
    ),
    path("surveys/votes/<int:pk>/paper/", staff_views.vote_paper, name="vote_paper"),
    path("surveys/slips/", staff_views.slips, name="slips"),
    path(
        "surveys/slips/reissue/<int:household_pk>/",
        staff_views.slip_reissue,
        name="slip_reissue",
    ),
]
