"""State of the resumable periodic jobs."""

from django.db import models


class JobCursor(models.Model):
    """Where a resumable periodic job stopped: the last (moment, id) it finished, saved with its writes."""

    name = models.CharField(max_length=100, unique=True)
    moment = models.DateTimeField(null=True, blank=True)
    last_id = models.BigIntegerField(default=0)
    last_key = models.CharField(max_length=64, blank=True, default="", help_text="For non-integer keys.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} at ({self.moment}, {self.last_id})"
