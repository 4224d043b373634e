"""The numbers an SMS campaign may text come from Saleor's addresses: the batch read equals the one-customer read."""

from saleor.account.models import Address, User

from saleor_loyalty.saleor_adapter import abandoned_checkouts


def customer(email, *phones):
    user = User.objects.create(email=email)
    for phone in phones:
        address = Address.objects.create(
            first_name="A", last_name="B", city="Tel Aviv", country="IL", phone=phone
        )
        user.addresses.add(address)
    return user


def test_the_batch_read_equals_each_customers_own_read(db):
    two = customer("two@example.co.il", "+972501111111", "+972502222222")
    one = customer("one@example.co.il", "+972503333333")
    none = customer("none@example.co.il")
    customer("other@example.co.il", "+972504444444")  # not asked for
    shop = abandoned_checkouts.SaleorShop()

    found = shop.customers_phones([two.pk, one.pk, none.pk])

    assert found == {two.pk: {"+972501111111", "+972502222222"}, one.pk: {"+972503333333"}}
    for user in (two, one, none):
        assert found.get(user.pk, set()) == shop.customer_phones(user.pk)
