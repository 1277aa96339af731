from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "Priority ratings"
    default_auto_field = "django.db.models.BigAutoField"
