from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    # Residents, through a household's access code or an estate's open link
    # (surveys/views.py).
    path("s/", views.code_entry, name="code_entry"),
    path("s/<str:code>/", views.household_page, name="household"),
    path("s/<str:code>/c/<int:campaign_id>/", views.campaign_page, name="campaign"),
    path("s/<str:code>/v/<int:vote_id>/", views.ballot_page, name="ballot"),
    path("o/<str:token>/", views.opinion_page, name="opinion"),
    path("elder-mode/", views.switch_elder_mode, name="elder_mode"),
]
