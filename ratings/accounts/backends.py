"""Django's model backend, with the signed-in user read by a query compiled once per process:
every request of a session loads its user (`django.contrib.auth.get_user`), and compiling that
query cost more than the database spent answering it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends, get_user_model

from dpa_portal.prepared import Prepared, as_key

_USER: Prepared[Any] = Prepared(lambda pk: get_user_model()._default_manager.filter(pk=pk))


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        pk = as_key(user_id)
        if pk is None:
            return None
        found = _USER.all(pk)
        if not found:
            return None
        # As Django's: an inactive user's session signs nobody in.
        return found[0] if self.user_can_authenticate(found[0]) else None
