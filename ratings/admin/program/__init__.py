"""The program view in the admin: its pages' URLs and the item-family mapping's admin."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.urls import path

from ratings.admin.program import views


def urls(site: AdminSite) -> list[Any]:
    view = site.admin_view
    return [
        path("program/", view(views.dashboard_view), name="program_dashboard"),
        path("program/concentration/", view(views.concentration_view), name="program_concentration"),
        path("program/network/", view(views.network_view), name="program_network"),
        path("program/suppliers/<int:organization_id>/", view(views.supplier_view), name="program_supplier"),
        path("program/csv/<str:page>/<str:table>/", view(views.csv_view), name="program_csv"),
        path(
            "program/csv/<str:page>/<int:organization_id>/<str:table>/",
            view(views.csv_view),
            name="program_csv",
        ),
    ]
