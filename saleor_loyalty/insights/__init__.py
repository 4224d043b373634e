"""Insights and campaigns: segments, win-back flows, campaigns, KPIs, liability, NPS and rule backtests.

Invariant: insights read the books and never change a balance themselves; every message they send goes through
the consent-aware pipeline and is claimed once.
"""
