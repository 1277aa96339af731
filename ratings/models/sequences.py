from django.db import models


class ReferenceCounter(models.Model):
    """Last number handed out per kind and year. Numbers are never reused: rows only go up."""

    kind = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="reference_counter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_value}"
