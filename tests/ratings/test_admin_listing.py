"""Long changelists write each row's selection box directly, with Django's exact markup."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList

from ratings.models import RatedOrder, RatingRequest


@pytest.mark.parametrize(
    ("model", "row"),
    [
        (RatedOrder, RatedOrder(pk=41, order_number='HHS-"1"&<2>')),
        (RatingRequest, RatingRequest(pk=7, reference="PRR-2026-000007")),
    ],
)
def test_the_selection_box_is_the_markup_django_renders(model, row):
    # given the changelist of a long list
    model_admin = admin.site._registry[model]

    # then its row's selection box is what Django's CheckboxInput renders, escaping included
    assert model_admin.action_checkbox(row) == admin.ModelAdmin.action_checkbox(model_admin, row)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "row"),
    [(RatedOrder, RatedOrder(pk=41, order_number="HHS-1")), (RatingRequest, RatingRequest(pk=7, reference="PRR-7"))],
)
def test_each_rows_link_is_the_one_django_reverses(rf, admin_user, model, row):
    # given the changelist of a long list
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    changelist = model_admin.get_changelist_instance(request)

    # then a row's link is Django's, from one reverse per page
    assert changelist.url_for_result(row) == ChangeList.url_for_result(changelist, row)
    assert changelist.url_for_result(row) == f"/admin/ratings/{model._meta.model_name}/{row.pk}/change/"
