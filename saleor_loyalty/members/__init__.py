"""Members as the club sees them: balance summary, the dashboard's member list, forgetting a deleted customer.

Invariant: a member's numbers are read from the ledger's cached balance and rows, never kept twice.
"""
