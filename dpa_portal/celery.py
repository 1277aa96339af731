"""Celery application. Worker: `celery -A dpa_portal worker`; beat: `celery -A dpa_portal beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpa_portal.settings.dev")

app = Celery("dpa_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
