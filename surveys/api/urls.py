from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("menu-items", views.MenuItemViewSet, basename="menu-item")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("responses", views.ResponseViewSet, basename="response")
router.register("replies", views.ReplyViewSet, basename="reply")
router.register("votes", views.VoteViewSet, basename="vote")
router.register("ballots", views.BallotViewSet, basename="ballot")
router.register("interviews", views.InterviewViewSet, basename="interview")
router.register("meetings", views.MeetingViewSet, basename="meeting")

urlpatterns = router.urls
