"""Earning beyond purchases: actions, referrals, paid membership, challenges and badges.

Invariant: every award is one ledger row keyed by what earned it (the action and its object, the referral, the
membership order line, the challenge window), so a replay, a double click or a concurrent delivery awards once.
"""
