from saleor_loyalty.models import LoyaltyAccount


def account_qs_select_for_update():
    """Accounts locked in primary-key order, so two writers locking two accounts never deadlock."""
    return LoyaltyAccount.objects.select_for_update().order_by("pk")
