"""Saleor's URLs plus a fingerprint of every club table, for the fuzz run (test settings only)."""

from django.apps import apps
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from saleor.core.db.connection import allow_writer
from saleor.urls import urlpatterns as saleor_urlpatterns


def club_tables_fingerprint(_request):
    """An md5 of each club table's rows: any row written, changed or removed changes its table's."""
    tables = sorted(model._meta.db_table for model in apps.get_app_config("saleor_loyalty").get_models())
    union = " UNION ALL ".join(
        f"SELECT '{table}', md5(COALESCE(string_agg(r::text, '|' ORDER BY r::text), '')) FROM {table} r"
        for table in tables
    )
    with allow_writer(), connection.cursor() as cursor:  # the writer: it sees every write at once
        cursor.execute(union)
        return JsonResponse(dict(cursor.fetchall()))


urlpatterns = [path("club-fuzz/fingerprint/", club_tables_fingerprint), *saleor_urlpatterns]
