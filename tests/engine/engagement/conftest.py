import pytest

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.engagement import catalogue
from saleor_loyalty.models import ClubAction

APP = Requestor(app_id=5, app_name="Reviews app", permissions=frozenset({"MANAGE_USERS"}))


@pytest.fixture
def actions_on(club):
    """The built-in kinds switched on with their suggested points (review 50, 3 a day, 20 a month, once per
    product, 14 pending days; share 100, 3 a day, 10 a month; the rest 50-150 once ever)."""
    catalogue.ensure_builtin_actions(club)
    ClubAction.objects.filter(program=club).update(is_enabled=True)
    return club
