"""Early access inside Saleor: staff mark a real product through the club endpoint, members see it by tier."""

import graphene
import pytest
from saleor.account.models import User

from saleor_loyalty import ledger
from saleor_loyalty.models import EarlyAccessItem
from saleor_loyalty.tiers import settings as tier_settings

from .flows import club

MARK = """
mutation($input: LoyaltyEarlyAccessInput!) {
  loyaltyEarlyAccessMark(channel: "main", input: $input) {
    errors { field message code } items { id kind minimumTier { name } openToTiers }
  }
}"""
GATED = """{ earlyAccess(channel: "main") { id kind locked } }"""
ME = """{ me(channel: "main") { earlyAccess tier { name } } }"""


@pytest.fixture
def merchandiser(staff_user, permission_manage_products):
    staff_user.user_permissions.add(permission_manage_products)
    return User.objects.get(pk=staff_user.pk)  # drop the permission cache


def gold_member(program, user):
    account = ledger.account_for(program, user.pk, user.email)
    tier_settings.set_floor(account, program.tiers.get(name="Gold"), "Press preview", ledger.SYSTEM)


def locked_for(user=None):
    status, body = club(GATED, user=user)
    assert status == 200, body
    assert "errors" not in body, body
    return {item["id"]: item["locked"] for item in body["data"]["earlyAccess"]}


def test_staff_marked_product_is_unlocked_for_gold_and_locked_for_regular_and_anonymous(
    merchandiser, product, customer_user, customer_user2, main_club
):
    # given a Gold member and a Regular one in the `main` channel, and one of Saleor's products
    gold_member(main_club, customer_user)
    product_id = graphene.Node.to_global_id("Product", product.pk)
    gold = graphene.Node.to_global_id("LoyaltyTier", main_club.tiers.get(name="Gold").pk)

    # when staff mark it for Gold and above through the club endpoint with their Saleor token
    status, body = club(MARK, {"input": {"products": [product_id], "minimumTier": gold}}, user=merchandiser)

    # then it is recorded by Saleor's id, and open to Gold and Platinum
    payload = body["data"]["loyaltyEarlyAccessMark"]
    assert status == 200, body
    assert payload["errors"] == [], body
    assert payload["items"] == [
        {
            "id": product_id,
            "kind": "PRODUCT",
            "minimumTier": {"name": "Gold"},
            "openToTiers": ["Gold", "Platinum"],
        }
    ]
    assert EarlyAccessItem.objects.get().saleor_id == product.pk

    # and the storefront learns the Gold member may see it while the others get it locked
    assert locked_for(customer_user) == {product_id: False}
    assert locked_for(customer_user2) == {product_id: True}
    assert locked_for() == {product_id: True}
    _, me = club(ME, user=customer_user)
    assert me["data"]["me"] == {
        "earlyAccess": False,
        "tier": {"name": "Gold"},
    }  # only Platinum has the benefit


def test_marking_needs_manage_products_and_products_saleor_has(merchandiser, product, collection, main_club):
    known = graphene.Node.to_global_id("Product", product.pk)
    unknown = graphene.Node.to_global_id("Product", product.pk + 1000)
    a_collection = graphene.Node.to_global_id("Collection", collection.pk)

    # staff without MANAGE_PRODUCTS are refused; an id Saleor does not have is refused; nothing is written
    _, denied = club(
        MARK, {"input": {"products": [known]}}, user=User.objects.create(email="x@example.com", is_staff=True)
    )
    _, missing = club(MARK, {"input": {"products": [known, unknown]}}, user=merchandiser)
    assert denied["data"]["loyaltyEarlyAccessMark"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert missing["data"]["loyaltyEarlyAccessMark"]["errors"] == [
        {
            "field": "products",
            "message": f"Saleor has no product with id {product.pk + 1000}.",
            "code": "NOT_FOUND",
        }
    ]
    assert not EarlyAccessItem.objects.exists()

    # a real collection can be marked
    _, marked = club(MARK, {"input": {"collections": [a_collection]}}, user=merchandiser)
    assert marked["data"]["loyaltyEarlyAccessMark"]["items"][0]["id"] == a_collection
