"""Shared plumbing of the periodic jobs: run counters, resumable cursors, one-runner-at-a-time locks."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

from saleor_loyalty.models import JobCursor


@dataclass
class JobRun:
    batches: int = 0
    seen: int = 0
    written: int = 0
    points: int = 0


def claim_cursor(name: str) -> JobCursor | None:
    """The job's cursor row locked for this transaction, or None while another worker holds it.

    One query once the row exists (jobs claim it at every batch); the first claim creates it.
    """
    claimed = JobCursor.objects.select_for_update(skip_locked=True).filter(name=name).first()
    if claimed is None and JobCursor.objects.get_or_create(name=name)[1]:
        claimed = JobCursor.objects.select_for_update(skip_locked=True).filter(name=name).first()
    return claimed


@contextmanager
def single_runner(name: str):
    """Yields True to exactly one worker at a time (a session advisory lock, freed if the worker dies)."""
    key = f"saleor_loyalty:{name}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
