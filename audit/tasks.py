"""Thin, idempotent Celery tasks of the audit app."""

from __future__ import annotations

from celery import shared_task

from audit import checkpoints, context, exports


@shared_task(name="audit.tasks.checkpoint")
def checkpoint() -> int | None:
    """Periodic (CELERY_BEAT_SCHEDULE): sign the chain head. Idempotent: a new checkpoint of the same head is harmless."""
    with context.use(context.for_task()):
        made = checkpoints.create_checkpoint()
    return made.pk if made else None


@shared_task(name="audit.tasks.run_export", acks_late=True, time_limit=3600, soft_time_limit=3500)
def run_export(job_id: int) -> None:
    with context.use(context.for_task()):
        exports.run_background(job_id)
