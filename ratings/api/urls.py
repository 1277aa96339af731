from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from ratings.api import views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("v1/requests/", views.RatingRequestListCreate.as_view(), name="api-requests"),
    path("v1/requests/<str:reference>/", views.RatingRequestDetail.as_view(), name="api-request"),
    path(
        "v1/requests/<str:reference>/line-items/", views.RatingRequestLineItems.as_view(), name="api-request-line-items"
    ),
    path(
        "v1/requests/<str:reference>/attachments/",
        views.RatingRequestAttachments.as_view(),
        name="api-request-attachments",
    ),
    path("v1/requests/<str:reference>/submit/", views.RatingRequestSubmit.as_view(), name="api-request-submit"),
    path("v1/requests/<str:reference>/respond/", views.RatingRequestRespond.as_view(), name="api-request-respond"),
    path("v1/requests/<str:reference>/withdraw/", views.RatingRequestWithdraw.as_view(), name="api-request-withdraw"),
    path("v1/programs/", views.ProgramList.as_view(), name="api-programs"),
    path("v1/suppliers/", views.SupplierList.as_view(), name="api-suppliers"),
]
