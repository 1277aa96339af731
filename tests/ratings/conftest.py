"""Fixtures shared by the ratings tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ratings.celery_broker import Broker, private_broker


@pytest.fixture
def broker() -> Iterator[Broker]:
    """A real Redis broker of the test's own (tests/ratings/celery_broker.py)."""
    with private_broker() as server:
        yield server
