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


# DPA §705(d) (50 U.S.C. 4555(d)): company information is business confidential. The trail
# holds it, so every export, bundle and workspace page carries this legend.
CONFIDENTIALITY_LEGEND = (
    "BUSINESS CONFIDENTIAL - Information protected under Section 705(d) of the Defense Production "
    "Act (50 U.S.C. 4555(d)). Do not disclose outside authorized U.S. Government use."
)
