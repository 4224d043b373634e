"""An order's club consequences, synced from its current facts (by the hooks' task and by the sweep).

Invariant: syncing the same facts twice, late or concurrently converges to the same rows.
"""
