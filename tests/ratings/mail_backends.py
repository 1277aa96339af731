"""Test e-mail backends: a mail server that refuses every message with a transient error."""

from __future__ import annotations

import smtplib
import time

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class FailingSMTPBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPException("451 mail server busy")


class FlakySMTPBackend(BaseEmailBackend):
    """Refuses the first two sends, then delivers to the locmem outbox."""

    failures_left = 2

    def send_messages(self, email_messages):
        if FlakySMTPBackend.failures_left > 0:
            FlakySMTPBackend.failures_left -= 1
            raise smtplib.SMTPException("451 mail server busy")
        mail.outbox.extend(email_messages)
        return len(email_messages)


class SlowBackend(BaseEmailBackend):
    """Takes its time, so two concurrent deliveries overlap."""

    def send_messages(self, email_messages):
        time.sleep(0.3)
        mail.outbox.extend(email_messages)
        return len(email_messages)
