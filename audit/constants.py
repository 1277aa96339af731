from django.db import models


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"


class Source(models.TextChoices):
    WEB = "web", "Web (portal or admin)"
    API = "api", "REST API"
    TASK = "task", "Background task"
    COMMAND = "command", "Management command"
    SYSTEM = "system", "System"


SYSTEM_ACTOR_LABEL = "system"
