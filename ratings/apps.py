from django.apps import AppConfig

from audit import access
from ratings import permissions


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "Priority ratings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web too), so services can queue them by
        # name without importing the task module (which loads models: only possible now).
        from ratings import tasks  # noqa: F401

        # The roles are defined here, so this app tells the audit workspace who may open it.
        access.register_policy(permissions.may_audit)
