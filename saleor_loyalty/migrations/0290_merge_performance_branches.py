"""Joins the migrations of the branches that worked in parallel: segment indexes, KPI return cells and
the per-tier count index, challenge passes, and the ledger's write-path indexes. No operations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_loyalty", "0210_segment_covered_indexes"),
        ("saleor_loyalty", "0231_member_tier_count_index"),
        ("saleor_loyalty", "0240_challenge_pass"),
        ("saleor_loyalty", "0250_ledger_write_path_indexes"),
    ]

    operations = []
