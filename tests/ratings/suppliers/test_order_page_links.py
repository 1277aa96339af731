"""A supplier that extended its order's rating finds each order it placed from the order's page."""

from __future__ import annotations

from ratings.services.suppliers import responses
from tests.ratings.suppliers.conftest import extend, issued, supplier_org


def test_each_order_extended_to_a_supplier_links_to_its_page_where_it_is_changed(
    client, cast, django_capture_on_commit_callbacks
):
    parent = responses.rated_order_accept(order=issued(cast, django_capture_on_commit_callbacks), actor=cast.supplier)
    sub_org, _ = supplier_org("Membrana Materials")
    child = extend(parent, cast.supplier, sub_org, django_capture_on_commit_callbacks)
    client.force_login(cast.supplier)

    page = client.get(f"/portal/orders/{parent.order_number}/").content.decode()

    assert f'<a href="/portal/placed/{child.order_number}/">{child.order_number}</a>' in page
    assert client.get(f"/portal/placed/{child.order_number}/").status_code == 200
