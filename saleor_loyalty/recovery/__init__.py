"""Cart recovery: abandonment detection, reminder sequences, restore links, attribution, settings.

Invariant: each reminder step is claimed once by a unique constraint and re-checked right before sending.
"""
