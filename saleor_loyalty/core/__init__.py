"""The club's shared kernel: plain facts, money and rounding, channel time, job plumbing, locks.

Invariant: nothing here imports another club package, so every room can build on it.
"""
