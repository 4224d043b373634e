"""Club messaging: consent, sending windows, rendering by language, the §30A gate, delivery, club news.

Invariant: no marketing message leaves without current consent, an open sending window and the
compliance gate, and every decision (sent, deferred, blocked, cancelled) is a logged row.
"""
