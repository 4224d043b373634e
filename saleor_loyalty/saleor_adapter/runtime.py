"""Saleor's runtime: the writer database for Celery tasks and Saleor's Celery app."""

from contextlib import contextmanager


@contextmanager
def writer_connection():
    """Saleor's Celery tasks must declare writer-database use; elsewhere this is a no-op."""
    try:
        from saleor.core.db.connection import allow_writer
    except ImportError:
        yield
        return
    with allow_writer():
        yield


def saleor_celery_app():
    """Saleor's Celery app when the plugin runs inside Saleor; None for the engine alone."""
    from django.conf import settings

    if "saleor.core" not in settings.INSTALLED_APPS:
        return None
    from saleor.celeryconf import app

    return app
