"""Saleor's last look before an order is created: the club's checkout benefits, and a referral's welcome
voucher, which only the referred friend may use.

Invariant: a single-use welcome voucher is a bearer code until the order exists (as a member's tier code
is), so the order is refused for anyone but the friend: on the checkout the code was applied to, or on the
friend's own new checkout (by account, else by canonical email). A welcome-marked code the club does not
know fails too. The plugin's `preprocess_order_creation` calls `check_order_creation` and turns the
refusal into Saleor's own typed checkout error; nothing is written either way.
"""

from saleor_loyalty.benefits import checkout as checkout_benefits
from saleor_loyalty.benefits.checkout import CheckoutBenefitFacts
from saleor_loyalty.engagement.referrals import welcome_voucher_is_theirs
from saleor_loyalty.exceptions import ClubCodeRefused
from saleor_loyalty.models import LoyaltyProgram


def check_order_creation(facts: CheckoutBenefitFacts) -> None:
    """Raises `ClubBenefitRefused` for a club benefit or a welcome voucher this checkout was not given."""
    checkout_benefits.check_order_creation(facts)
    if not facts.voucher_is_welcome:
        return
    program = LoyaltyProgram.objects.filter(channel_slug=facts.channel_slug).first()
    if program is None:
        raise ClubCodeRefused("This club code is not valid in this channel.")
    if not welcome_voucher_is_theirs(
        program, facts.voucher_code or "", facts.checkout_token, facts.user_id, facts.email
    ):
        raise ClubCodeRefused("This welcome code belongs to the friend it was given to.")
