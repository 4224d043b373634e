import graphene

MAX_KEY = 64


class LoyaltyActionInput(graphene.InputObjectType):
    """An action's settings; on update, fields left out stay as they are (a cap sent as null is removed)."""

    name_en = graphene.String(description="Its name in English (1-100 characters).")
    name_he = graphene.String(description="Its name in Hebrew (up to 100 characters).")
    points = graphene.Int(description="Points per award, 1 to 1,000,000.")
    cap_per_day = graphene.Int(description="Awards per member per local day; null = no limit.")
    cap_per_month = graphene.Int(description="Awards per member per local month; null = no limit.")
    cap_lifetime = graphene.Int(description="Awards per member ever; null = no limit.")
    once_per_object = graphene.Boolean(description="At most one award per member and object.")
    pending_days = graphene.Int(description="Days before its points can be spent (0-365).")
    is_enabled = graphene.Boolean(description="Members earn it now.")


def action_values(data) -> dict:
    """The fields the caller sent; caps may be sent as null to remove them."""
    return {
        name: value
        for name, value in data.items()
        if value is not None or name in ("cap_per_day", "cap_per_month", "cap_lifetime")
    }
