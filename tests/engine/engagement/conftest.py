from decimal import Decimal

import pytest

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import referrals

from .referral_shop import referral_shop  # noqa: F401  (fixture)


@pytest.fixture
def referral_rules(club):
    """Referrals on in the `il` club: 500 points to the referrer, a 10 % welcome voucher, 30 pending days."""
    return referrals.update_settings(
        club,
        enabled=True,
        referrer_points=500,
        friend_benefit="voucher_percent",
        friend_value=Decimal("10"),
        pending_days=30,
        monthly_cap=3,
        link_template="https://shop.example.co.il/join?ref={code}",
    )


@pytest.fixture
def dana(django_user_model, club):
    """A member with an account and a referral code."""
    user = django_user_model.objects.create(username="dana", email="dana.levi@gmail.com")
    account = ledger.account_for(club, user.pk, user.email)
    user.code = referrals.code_for(account)
    user.account = account
    return user


@pytest.fixture
def noa(django_user_model):
    """A new customer, Dana's friend."""
    return django_user_model.objects.create(username="noa", email="noa@example.co.il")


def as_customer(user):
    return Requestor(user_id=user.pk, email=user.email)
