"""audit 0007 turns each legal hold's foreign key to its rating request into the generic target
(object_type, object_id, reference), and back."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ratings.constants import RequestState
from tests.factories import make_cast, request_in_state

BEFORE = [("audit", "0006_reason_trigram_index")]
AFTER = [("audit", "0007_legal_hold_generic_target")]


def _migrate(target: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


def test_existing_holds_are_converted_both_ways(transactional_db):
    cast = make_cast()
    rr = request_in_state(cast, RequestState.APPROVED)
    try:
        old_apps = _migrate(BEFORE)
        OldHold = old_apps.get_model("audit", "LegalHold")
        OldHold.objects.create(
            request_id=rr.pk, reason="Litigation", placed_by_id=cast.hhsadmin.pk, placed_at=timezone.now()
        )

        new_apps = _migrate(AFTER)
        hold = new_apps.get_model("audit", "LegalHold").objects.get()
        assert (hold.object_type, hold.object_id, hold.reference, hold.reason) == (
            "ratings.RatingRequest",
            str(rr.pk),
            rr.reference,
            "Litigation",
        )

        old_apps = _migrate(BEFORE)
        assert list(old_apps.get_model("audit", "LegalHold").objects.values_list("request_id", "reason")) == [
            (rr.pk, "Litigation")
        ]
    finally:  # back to the latest state, which later tests expect
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
