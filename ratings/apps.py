from django.apps import AppConfig

from audit import access, scopes, vocabulary
from ratings import permissions


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "Priority ratings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the Celery tasks in every process (web too), so services can queue them by
        # name without importing the task module (which loads models: only possible now).
        from ratings import tasks  # noqa: F401
        from ratings.selectors import timeline

        # The roles are defined here, so this app tells the audit workspace who may open it.
        access.register_policy(permissions.may_audit)
        # A request's events are filed under its orders, cases and notices too: audit's search,
        # history and bundles ask this app what belongs to a reference.
        scopes.register_expander(timeline.reference_scope)
        vocabulary.register_organization_finder(timeline.organizations_named)
