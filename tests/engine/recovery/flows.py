from django.core import mail

from saleor_loyalty.recovery import abandonment, sequences


def tick(shop, at) -> int:
    """One beat of the recovery job at `at`: detection sweep, then due steps. Returns emails sent so far."""
    abandonment.sweep(shop, at)
    sequences.process_due(shop, at)
    return len(mail.outbox)
