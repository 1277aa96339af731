"""The request list's items, built from `.values()` rows: the list makes no model instances.
RatingRequestSummarySerializer documents the same shape; a test keeps the two equal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

SUMMARY_VALUES = (
    "reference",
    "state",
    "version",
    "applicant_organization__legal_name",
    "requested_level",
    "health_resource",
    "created_at",
    "submitted_at",
)


def summaries(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What RatingRequestSummarySerializer gives for each row of `.values(*SUMMARY_VALUES)`."""
    zone = timezone.get_current_timezone()

    def moment(value: dt.datetime) -> str:
        # DRF's DateTimeField (ISO 8601 in the current zone, UTC as Z), with the zone looked up once.
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return [
        {
            "reference": row["reference"],
            "state": row["state"],
            "version": row["version"],
            "applicant_organization": row["applicant_organization__legal_name"],
            "requested_level": row["requested_level"],
            "health_resource": row["health_resource"],
            "created_at": moment(row["created_at"]),
            "submitted_at": None if row["submitted_at"] is None else moment(row["submitted_at"]),
        }
        for row in rows
    ]
