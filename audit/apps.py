from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # auth_events: Django's auth framework reports logins only through signals; the
        # receivers only write audit events (NIST AU-2), they carry no business effect.
        # tasks: registered in every process (web too), so exports queue them by name.
        from audit import auth_events, tasks  # noqa: F401
