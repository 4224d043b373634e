from django.core import mail

from saleor_loyalty import abandonment, recovery


def tick(shop, at) -> int:
    """One beat of the recovery job at `at`: detection sweep, then due steps. Returns emails sent so far."""
    abandonment.sweep(shop, at)
    recovery.process_due(shop, at)
    return len(mail.outbox)
