"""The notifications outbox: one row per notice, written in the transaction of its cause.

A Celery task queued after commit sends the row; the row's status is the truth about delivery
(pending -> sending -> sent, or back to pending for a retry, or failed after the last attempt).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ratings.constants import NoticeCategory, NotificationDelivery, NotificationKind, NotificationStatus


class Notification(models.Model):
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Idempotency key (object + version + recipient + kind): a cause writes its notice once.",
    )
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    email = models.EmailField(blank=True, help_text="Address at the time of writing; blank means in-app only.")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    subject = models.CharField(max_length=250)
    body_text = models.TextField("plain-text body", help_text="Blank until delivery for a notice rendered then.")
    body_html = models.TextField("HTML body")
    context = models.JSONField(
        default=dict,
        blank=True,
        help_text="What a notice rendered at delivery needs beyond its kind and object (a reminder's offset).",
    )
    link = models.CharField(max_length=500, blank=True, help_text="Absolute address the notice points to.")
    object_type = models.CharField(max_length=100, blank=True, help_text="e.g. ratings.RatingRequest")
    object_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0, help_text="Delivery attempts made so far.")
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(help_text="Earliest time of the next delivery attempt.")
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When the current attempt started.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="digested",
        help_text="The daily digest that carried this notice by e-mail.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["object_type", "object_id"], name="notification_object_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=NotificationStatus.SENT) | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_id}: {self.subject}"

    @property
    def path(self) -> str:
        """The link on this site, host left out, for the in-app list (the e-mail keeps it whole)."""
        return self.link.removeprefix(settings.SITE_URL) or "/" if self.link else ""


class NotificationPreference(models.Model):
    """A recipient's choice for one category of optional notices (no row: e-mail at once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    category = models.CharField(max_length=30, choices=NoticeCategory.choices)
    delivery = models.CharField(max_length=10, choices=NotificationDelivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "category"]
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="notice_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.category} -> {self.delivery}"
