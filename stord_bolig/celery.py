"""The Celery application; tasks are queued only after the transaction that caused them commits."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stord_bolig.settings")

app = Celery("stord_bolig")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
