"""The members of one page of the member list, and what their fields read, loaded for the whole page at once.

The first member of a page that resolves a field of this kind loads it for every member of the page
(dataloader style), keyed by the field's arguments; the others read it from there. So a page costs
the same number of queries for 5 members as for 100, whichever member fields staff ask for.
"""

from functools import cached_property

from django.utils import timezone

from saleor_loyalty.graphql.pagination import Page, after_pk, page_of, page_size
from saleor_loyalty.ledger.expiry import next_expiring_of
from saleor_loyalty.members.pages import entry_counts, newest_entries, newest_tier_events
from saleor_loyalty.models import LoyaltyAccount, LoyaltyProgram
from saleor_loyalty.rewards.store_credit import summarize_page
from saleor_loyalty.tiers.ladder import qualifying_amounts


class MemberPage:
    def __init__(self, program: LoyaltyProgram, accounts: list[LoyaltyAccount]):
        self.program, self.accounts = program, accounts
        self.account_ids = [account.pk for account in accounts]
        self._loaded = {}

    def _once(self, key, load):
        if key not in self._loaded:
            self._loaded[key] = load()
        return self._loaded[key]

    @cached_property
    def amounts(self) -> dict:
        """Each member's qualifying amount for the tier rule."""
        return qualifying_amounts(self.program, self.account_ids, timezone.now())

    @cached_property
    def expiring(self) -> dict:
        """Each member's soonest-expiring points, from one replay of the page's rows."""
        return next_expiring_of(self.account_ids)

    def credit(self, cards) -> dict:
        """Each member's store credit, pending cashback and debt (the card codes are not loaded)."""
        return self._once("credit", lambda: summarize_page(self.accounts, self.program.currency, cards))

    def tier_history(self, first) -> dict:
        size = page_size(first)
        return self._once(("tier_history", size), lambda: newest_tier_events(self.account_ids, size))

    def transactions(self, first, after) -> dict[int, Page]:
        """Each member's history page for these arguments, with its total count."""
        size, after_id = page_size(first), after_pk(after, "entry")

        def load():
            found = newest_entries(self.account_ids, size + 1, after_id)
            counts = entry_counts(self.account_ids)
            return {pk: page_of(found[pk], size, "entry", counts[pk]) for pk in self.account_ids}

        return self._once(("transactions", size, after_id), load)
