from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from ratings.api.views import assistance, audit, authorizations, hhs, orders, reference, requests, webhooks

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Requests (manufacturers).
    path("v1/requests/", requests.RatingRequestListCreate.as_view(), name="api-requests"),
    path("v1/requests/<str:reference>/", requests.RatingRequestDetail.as_view(), name="api-request"),
    path(
        "v1/requests/<str:reference>/line-items/",
        requests.RatingRequestLineItems.as_view(),
        name="api-request-line-items",
    ),
    path(
        "v1/requests/<str:reference>/attachments/",
        requests.RatingRequestAttachments.as_view(),
        name="api-request-attachments",
    ),
    path(
        "v1/requests/<str:reference>/attachments/<int:pk>/",
        requests.RatingRequestAttachment.as_view(),
        name="api-request-attachment",
    ),
    path("v1/requests/<str:reference>/orders/", orders.RequestOrderList.as_view(), name="api-request-orders"),
    path("v1/requests/<str:reference>/submit/", requests.RatingRequestSubmit.as_view(), name="api-request-submit"),
    path("v1/requests/<str:reference>/respond/", requests.RatingRequestRespond.as_view(), name="api-request-respond"),
    path(
        "v1/requests/<str:reference>/withdraw/", requests.RatingRequestWithdraw.as_view(), name="api-request-withdraw"
    ),
    # HHS staff's workflow actions.
    *[
        path(f"v1/requests/<str:reference>/{name}/", hhs.hhs_action_view(name).as_view(), name=f"api-request-{name}")
        for name in hhs.ACTIONS
    ],
    # Auditors.
    path("v1/audit/events/", audit.AuditEventList.as_view(), name="api-audit-events"),
    path("v1/audit/exports/", audit.ExportList.as_view(), name="api-audit-exports"),
    path("v1/audit/exports/<int:pk>/", audit.ExportDetail.as_view(), name="api-audit-export"),
    path("v1/audit/exports/<int:pk>/file/", audit.ExportFile.as_view(), name="api-audit-export-file"),
    path("v1/audit/exports/<int:pk>/manifest/", audit.ExportManifest.as_view(), name="api-audit-export-manifest"),
    path("v1/audit/bundles/<str:reference>/", audit.RequestBundle.as_view(), name="api-audit-bundle"),
    # Rating authorizations (what HHS's approval authorizes; the manufacturer's signer places orders).
    path("v1/authorizations/", authorizations.AuthorizationList.as_view(), name="api-authorizations"),
    path("v1/authorizations/<str:number>/", authorizations.AuthorizationDetail.as_view(), name="api-authorization"),
    path(
        "v1/authorizations/<str:number>/document/",
        authorizations.AuthorizationDocument.as_view(),
        name="api-authorization-document",
    ),
    path(
        "v1/authorizations/<str:number>/orders/",
        authorizations.AuthorizationPlaceOrder.as_view(),
        name="api-authorization-place-order",
    ),
    # Rated orders (suppliers answer; manufacturers, HHS and auditors read).
    path("v1/orders/", orders.OrderList.as_view(), name="api-orders"),
    path("v1/orders/<str:order_number>/", orders.OrderDetail.as_view(), name="api-order"),
    path(
        "v1/orders/<str:order_number>/versions/<int:version>/document/",
        orders.OrderDocument.as_view(),
        name="api-order-document",
    ),
    path("v1/orders/<str:order_number>/accept/", orders.OrderAccept.as_view(), name="api-order-accept"),
    path("v1/orders/<str:order_number>/reject/", orders.OrderReject.as_view(), name="api-order-reject"),
    path("v1/orders/<str:order_number>/delay/", orders.OrderDelay.as_view(), name="api-order-delay"),
    path("v1/orders/<str:order_number>/fulfil/", orders.OrderFulfil.as_view(), name="api-order-fulfil"),
    path("v1/orders/<str:order_number>/flowdown/", orders.OrderFlowdown.as_view(), name="api-order-flowdown"),
    # Special priorities assistance cases (the parties; HHS staff's queue and steps).
    path("v1/assistance-cases/", assistance.CaseList.as_view(), name="api-assistance-cases"),
    path("v1/assistance-cases/<str:reference>/", assistance.CaseDetail.as_view(), name="api-assistance-case"),
    *[
        path(
            f"v1/assistance-cases/<str:reference>/{name}/",
            assistance.case_step_view(name).as_view(),
            name=f"api-assistance-case-{name}",
        )
        for name in assistance.STEPS
    ],
    # Webhooks (Standard Webhooks) and the event feed.
    path("v1/webhooks/", webhooks.EndpointList.as_view(), name="api-webhooks"),
    path("v1/webhooks/<int:pk>/", webhooks.EndpointDetail.as_view(), name="api-webhook"),
    path("v1/webhooks/<int:pk>/rotate-secret/", webhooks.EndpointRotate.as_view(), name="api-webhook-rotate"),
    path("v1/webhooks/<int:pk>/deliveries/", webhooks.DeliveryList.as_view(), name="api-webhook-deliveries"),
    path(
        "v1/webhooks/<int:pk>/deliveries/<int:delivery_id>/replay/",
        webhooks.DeliveryReplay.as_view(),
        name="api-webhook-replay",
    ),
    path("v1/events/", webhooks.EventList.as_view(), name="api-events"),
    path("v1/events/<str:event_id>/", webhooks.EventDetail.as_view(), name="api-event"),
    # Reference data.
    path("v1/programs/", reference.ProgramList.as_view(), name="api-programs"),
    path("v1/suppliers/", reference.SupplierList.as_view(), name="api-suppliers"),
]
