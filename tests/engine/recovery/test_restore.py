from datetime import timedelta

import pytest

from saleor_loyalty.exceptions import RestoreTokenInvalid
from saleor_loyalty.models import RestoreToken
from saleor_loyalty.recovery import restore

from .shop import T0


def test_restore_token_resolves_to_its_one_checkout(db, shop):
    checkout = shop.add_checkout()
    raw = restore.mint(checkout.token, "il", T0)

    record = restore.resolve(raw, T0 + timedelta(days=6))

    assert record.checkout_token == checkout.token
    assert not RestoreToken.objects.filter(token_hash=raw).exists()


def test_forged_restore_token_is_refused(db, shop):
    restore.mint(shop.add_checkout().token, "il", T0)
    with pytest.raises(RestoreTokenInvalid):
        restore.resolve("A" * 43, T0)


def test_expired_restore_token_is_refused(db, shop):
    raw = restore.mint(shop.add_checkout().token, "il", T0)
    with pytest.raises(RestoreTokenInvalid, match="expired"):
        restore.resolve(raw, T0 + timedelta(days=7, seconds=1))
