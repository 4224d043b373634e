"""Domain errors, one per rule. GraphQL maps them to `errors { field message code }` in one place."""

from saleor_loyalty.error_codes import LoyaltyErrorCode


class LoyaltyError(Exception):
    code = LoyaltyErrorCode.INVALID
    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class ProgramNotFound(LoyaltyError):
    """No club program exists (or can be created) for the channel asked for."""

    code = LoyaltyErrorCode.CHANNEL_NOT_FOUND
    field = "channel"


class ProgramInactive(LoyaltyError):
    """The channel's program is switched off (`isActive` false): nothing that gives or spends value runs."""

    code = LoyaltyErrorCode.PROGRAM_INACTIVE
    field = "channel"


class FindingNotFound(LoyaltyError):
    """No open or closed reconciliation finding with that id in the channel asked for."""

    code = LoyaltyErrorCode.NOT_FOUND
    field = "finding_id"


class CurrencyMismatch(LoyaltyError):
    """Money in another currency than the program's channel currency."""

    code = LoyaltyErrorCode.CURRENCY_MISMATCH


class InvalidPoints(LoyaltyError):
    """Points must be a non-zero whole number within the program's adjustment limit."""

    code = LoyaltyErrorCode.OUT_OF_RANGE
    field = "points"


class ReasonRequired(LoyaltyError):
    """Manual adjustments must say why: the row is an audit record."""

    code = LoyaltyErrorCode.REQUIRED
    field = "reason"


class InsufficientPoints(LoyaltyError):
    """A deduction larger than what the member can spend now."""

    code = LoyaltyErrorCode.INSUFFICIENT_POINTS
    field = "points"


class MemberNotFound(LoyaltyError):
    """No customer with that id or email."""

    code = LoyaltyErrorCode.NOT_FOUND


class InvalidProgramSetting(LoyaltyError):
    """A program setting outside its allowed range."""

    code = LoyaltyErrorCode.INVALID


class InvalidTierSetting(LoyaltyError):
    """A tier value out of range, or a ladder whose thresholds do not increase with the order."""


class InvalidConsentInput(LoyaltyError):
    """A consent request with an unknown medium, action or source, or without an address."""

    code = LoyaltyErrorCode.INVALID


class TierNotFound(LoyaltyError):
    """No tier with that id in the program of the channel asked for."""

    code = LoyaltyErrorCode.NOT_FOUND
    field = "id"


class TierHasMembers(LoyaltyError):
    """Deleting a tier that members are in needs a tier to move them to."""

    code = LoyaltyErrorCode.TIER_HAS_MEMBERS
    field = "move_members_to"


class InvalidBirthday(LoyaltyError):
    """A day and month that no year has."""

    code = LoyaltyErrorCode.INVALID
    field = "day"


class BirthdayChangeLimited(LoyaltyError):
    """The birthday was set less than the allowed interval ago."""

    code = LoyaltyErrorCode.CHANGE_LIMITED
    field = "month"


class CheckoutNotFound(LoyaltyError):
    """No open checkout with that id: unknown, or already completed (Saleor deletes completed checkouts)."""

    code = LoyaltyErrorCode.CHECKOUT_NOT_FOUND
    field = "checkout_id"


class NotYourCheckout(LoyaltyError):
    """The checkout belongs to another customer (or to a guest)."""

    code = LoyaltyErrorCode.NOT_YOUR_CHECKOUT
    field = "checkout_id"


class BelowMinimum(LoyaltyError):
    """Fewer points than the program's minimum redemption."""

    code = LoyaltyErrorCode.BELOW_MINIMUM
    field = "points"


class NotInSteps(LoyaltyError):
    """Points to redeem must be a multiple of the program's step."""

    code = LoyaltyErrorCode.NOT_IN_STEPS
    field = "points"


class ConsentWordingRequired(LoyaltyError):
    """A grant must carry the exact wording shown, or it proves nothing under §30A."""

    code = LoyaltyErrorCode.REQUIRED
    field = "wording"


class ExplicitOptInRequired(LoyaltyError):
    """A newsletter sign-up counts as consent only with an explicit, unticked-by-default opt-in."""

    code = LoyaltyErrorCode.OPT_IN_REQUIRED
    field = "opt_in"


class RestoreTokenInvalid(LoyaltyError):
    """A restore token that does not exist (forged), has expired, or whose checkout is gone."""

    code = LoyaltyErrorCode.INVALID_TOKEN
    field = "token"


class StoreCreditUnavailable(LoyaltyError):
    """This Saleor cannot hold club store credit (gift-card balance adjustments arrived in 3.23)."""

    code = LoyaltyErrorCode.UNSUPPORTED


class InvalidEarlyAccess(LoyaltyError):
    """An early-access request without items, with too many, or with a window that closes before it opens."""

    code = LoyaltyErrorCode.INVALID


class CatalogItemNotFound(LoyaltyError):
    """A product or collection id that Saleor does not know."""

    code = LoyaltyErrorCode.NOT_FOUND


class TierGatesEarlyAccess(LoyaltyError):
    """Deleting a tier that is the minimum tier of early-access items would silently regate them."""

    code = LoyaltyErrorCode.TIER_IN_USE
    field = "id"


class ClubBenefitRefused(LoyaltyError):
    """A club benefit at order creation that the checkout's customer was not given.

    The plugin turns it into Saleor's own typed checkout error (the adapter maps the codes).
    """

    code = LoyaltyErrorCode.NOT_APPLICABLE


class ClubCodeRefused(ClubBenefitRefused):
    """A club code on someone else's checkout, or worth more than the member's tier gives now."""

    field = "promo_code"


class ClubShippingRefused(ClubBenefitRefused):
    """A reserved club shipping method for a customer whose tier has no free shipping."""

    field = "shipping_method"


class PhoneNotOwned(LoyaltyError):
    """SMS consent (or its state) for a number the caller has not shown to be theirs: under §30A a
    consent nobody can prove the owner gave is worthless, and a stranger's withdrawal silences a member."""

    code = LoyaltyErrorCode.PHONE_NOT_VERIFIED
    field = "phone"


class IdempotencyConflict(LoyaltyError):
    """The same idempotency key came back with a different request: replaying it would hide the change."""

    code = LoyaltyErrorCode.IDEMPOTENCY_CONFLICT


class InvalidMembershipPlan(LoyaltyError):
    """A paid membership plan's settings out of range (term, gifts, reminder days, name)."""

    code = LoyaltyErrorCode.INVALID


class MembershipPlanNotFound(LoyaltyError):
    """No membership plan with that id in the channel's program."""

    code = LoyaltyErrorCode.NOT_FOUND
    field = "id"


class ChallengeNotFound(LoyaltyError):
    """No challenge with that id in the program of the channel asked for."""

    code = LoyaltyErrorCode.NOT_FOUND
    field = "id"


class MembershipPlanInUse(LoyaltyError):
    """A plan members bought terms of stays for their history: staff switch it off (isActive) instead."""

    code = LoyaltyErrorCode.PLAN_IN_USE
    field = "id"


class TierGrantedByMembership(LoyaltyError):
    """A tier a membership plan grants cannot be deleted: its paid members would lose what they paid for."""

    code = LoyaltyErrorCode.TIER_IN_USE
    field = "id"


class BadgeNotFound(LoyaltyError):
    """No badge with that id in the program of the channel asked for."""

    code = LoyaltyErrorCode.NOT_FOUND
    field = "badge_id"


class InvalidChallenge(LoyaltyError):
    """A challenge or badge setting out of range, or a rule change once members completed it."""

    code = LoyaltyErrorCode.INVALID


class SmsCodeInvalid(LoyaltyError):
    """An SMS opt-in code that is wrong, expired, used already, or out of attempts (one answer for all,
    so nobody learns anything about a number from it)."""

    code = LoyaltyErrorCode.SMS_CODE_INVALID
    field = "code"


class RateLimited(LoyaltyError):
    """Too many SMS opt-in codes asked for one number or from one origin lately."""

    code = LoyaltyErrorCode.RATE_LIMITED


class SmsNotSent(LoyaltyError):
    """The SMS provider did not take the opt-in code; the caller may ask again later."""

    code = LoyaltyErrorCode.SMS_NOT_SENT
    field = "phone"
