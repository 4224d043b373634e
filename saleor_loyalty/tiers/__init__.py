"""The tier ladder, staff changes to it and the nightly evaluation.

Invariant: qualification is derived from the ledger; every move on the ladder is an append-only TierEvent.
"""
