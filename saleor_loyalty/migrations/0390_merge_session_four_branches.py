"""Joins the migrations of the branches that worked in parallel: campaign medium and provider feedback,
the ledger's partial reverses index, the lean segment tables, and the engagement fixes (action points toward
tiers, share visits, plans side by side, referrer credit). No operations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("saleor_loyalty", "0340_campaign_medium_and_feedback"),
        ("saleor_loyalty", "0353_referrer_store_credit"),
        ("saleor_loyalty", "0300_ledger_reverses_partial_index"),
        ("saleor_loyalty", "0320_segment_tables_lean"),
    ]

    operations = []
