"""Long changelists write each row's selection box directly, with Django's exact markup."""

from __future__ import annotations

import pytest
from django.contrib import admin

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
