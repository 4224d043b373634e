from enum import Enum


class LoyaltyErrorCode(Enum):
    """Codes a club mutation or query can answer with; wrapped once for GraphQL in graphql/enums.py."""

    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    CHANNEL_NOT_FOUND = "channel_not_found"
    CURRENCY_MISMATCH = "currency_mismatch"
    OUT_OF_RANGE = "out_of_range"
    INSUFFICIENT_POINTS = "insufficient_points"
    PERMISSION_DENIED = "permission_denied"
    UNAUTHENTICATED = "unauthenticated"
    TIER_HAS_MEMBERS = "tier_has_members"
    TIER_IN_USE = "tier_in_use"
    CHANGE_LIMITED = "change_limited"
    BELOW_MINIMUM = "below_minimum"
    NOT_IN_STEPS = "not_in_steps"
    CHECKOUT_NOT_FOUND = "checkout_not_found"
    NOT_YOUR_CHECKOUT = "not_your_checkout"
    OPT_IN_REQUIRED = "opt_in_required"
    INVALID_TOKEN = "invalid_token"
    UNSUPPORTED = "unsupported"
    NOT_APPLICABLE = "not_applicable"
    PROGRAM_INACTIVE = "program_inactive"
