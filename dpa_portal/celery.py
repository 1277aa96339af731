"""Celery application. Worker: `celery -A dpa_portal worker`; beat: `celery -A dpa_portal beat`.

Everything is configured from Django settings (CELERY_* in settings/base.py): acks_late, time
limits, the publish retry policy and the beat schedule (CELERY_BEAT_SCHEDULE, the last section).
Tasks live in each app's tasks.py; RatingsConfig.ready() imports ratings' so web processes can
queue them by name.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpa_portal.settings.dev")

app = Celery("dpa_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
