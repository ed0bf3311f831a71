from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("communities", views.CommunityViewSet, basename="community")
router.register("estates", views.EstateViewSet, basename="estate")
router.register("buildings", views.BuildingViewSet, basename="building")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("owners", views.OwnerViewSet, basename="owner")
router.register(
    "problem-categories", views.ProblemCategoryViewSet, basename="problem-category"
)
router.register("problems", views.ProblemViewSet, basename="problem")
router.register("photos", views.PhotoViewSet, basename="photo")
router.register("needs", views.EstateNeedViewSet, basename="need")
router.register(
    "governance-bodies", views.GovernanceBodyViewSet, basename="governance-body"
)

urlpatterns = router.urls
