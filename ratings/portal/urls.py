from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import TemplateView

from ratings.portal.views import (
    agreements,
    authorizations,
    capacity,
    casework,
    draft_tools,
    placed,
    placed_changes,
    reach,
    reconsideration,
    wizard,
)
from ratings.portal.views import orders as supplier
from ratings.portal.views import requests as views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", wizard.details, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/details/", wizard.details, name="request-details"),
    path("requests/<int:pk>/edit/items/", wizard.items, name="request-items"),
    path("requests/<int:pk>/edit/justification/", wizard.justification, name="request-justification"),
    path("requests/<int:pk>/edit/attachments/", wizard.attachments, name="request-attachments"),
    path("requests/<int:pk>/edit/review/", wizard.review, name="request-review"),
    path(
        "requests/<int:pk>/edit/attachments/<int:attachment_id>/remove/",
        draft_tools.request_attachment_remove,
        name="request-attachment-remove",
    ),
    path("requests/<int:pk>/copy/", draft_tools.request_copy, name="request-copy"),
    path("requests/<int:pk>/respond/", views.request_respond, name="request-respond"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("requests/<int:pk>/reconsider/", reconsideration.request_reconsider, name="request-reconsider"),
    path("requests/<int:pk>/supplier-contacts/", reach.request_supplier_contacts, name="request-supplier-contacts"),
    # Suppliers: the rated orders addressed to their organization
    path("orders/", supplier.order_list, name="order-list"),
    path("contacts/", reach.supplier_contacts, name="supplier-contacts"),
    path("orders/<str:order_number>/", supplier.order_detail, name="order-detail"),
    path("orders/<str:order_number>/accept/", supplier.order_accept, name="order-accept"),
    path("orders/<str:order_number>/reject/", supplier.order_reject, name="order-reject"),
    path("orders/<str:order_number>/delay/", supplier.order_delay, name="order-delay"),
    path(
        "orders/<str:order_number>/delay/<int:report_id>/confirm/",
        supplier.order_confirm_delay,
        name="order-confirm-delay",
    ),
    path("orders/<str:order_number>/fulfil/", supplier.order_fulfil, name="order-fulfil"),
    path(
        "orders/<str:order_number>/changes/<int:agreement_id>/agree/",
        agreements.order_change_agree,
        name="order-change-agree",
    ),
    path("orders/<str:order_number>/flowdown/", supplier.order_flowdown, name="order-flowdown"),
    path(
        "orders/<str:order_number>/flowdown/new-supplier/",
        reach.order_name_sub_supplier,
        name="order-name-sub-supplier",
    ),
    path(
        "orders/<str:order_number>/cases/<str:reference>/answer/", casework.order_case_answer, name="order-case-answer"
    ),
    path(
        "orders/<str:order_number>/directives/<str:number>/acknowledge/",
        casework.order_directive_acknowledge,
        name="order-directive-acknowledge",
    ),
    # The placing party (customer): the orders it placed, offers, delays, assistance cases
    path("placed/<str:order_number>/", placed.placed_order_detail, name="placed-order"),
    path("placed/<str:order_number>/offer/", placed.placed_order_accept_offer, name="placed-accept-offer"),
    path("placed/<str:order_number>/delay-report/", placed.placed_order_record_delay, name="placed-record-delay"),
    path("placed/<str:order_number>/assistance/", placed.placed_order_open_case, name="placed-open-case"),
    path("placed/<str:order_number>/amend/", placed_changes.placed_order_amend, name="placed-amend"),
    path("placed/<str:order_number>/cancel/", placed_changes.placed_order_cancel, name="placed-cancel"),
    path(
        "placed/<str:order_number>/changes/<int:agreement_id>/apply/",
        agreements.placed_change_apply,
        name="placed-change-apply",
    ),
    path(
        "placed/<str:order_number>/cases/<str:reference>/answer/", placed.placed_case_answer, name="placed-case-answer"
    ),
    # Rating authorizations: what HHS authorized, and placing the rated orders under them
    path("authorizations/<str:number>/", authorizations.authorization_detail, name="authorization-detail"),
    path(
        "authorizations/<str:number>/place/<int:supplier_id>/",
        authorizations.authorization_place,
        name="authorization-place",
    ),
    # For the people who connect their organization's systems.
    path(
        "api/",
        login_required(
            TemplateView.as_view(
                template_name="portal/api_getting_started.html", extra_context={"site_url": settings.SITE_URL}
            )
        ),
        name="api-getting-started",
    ),
    path("capacity/", capacity.capacity_reports, name="capacity"),
]
