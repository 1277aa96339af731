"""The cast with the admin access their roles give (groups and the staff flag follow the roles,
as the membership services set them)."""

from __future__ import annotations

import pytest

from ratings.services.accounts import roles
from tests.factories import Cast


@pytest.fixture
def cast(cast: Cast) -> Cast:
    for user in (
        cast.intake,
        cast.reviewer,
        cast.reviewer2,
        cast.approver,
        cast.secretary,
        cast.hhsadmin,
        cast.auditor,
    ):
        roles.access_sync(user)
    return cast
