"""The actions catalogue of a program: the built-in kinds (present in every program, off until staff switch
them on) and the kinds staff define, with their points, caps and pending period.

Invariant: a kind's key never changes once made (awards carry it in their `detail`), and a built-in kind is
never deleted; staff may only change its points, caps, names and switch.
"""

import re

from django.db import IntegrityError, transaction

from saleor_loyalty.core.validation import whole_number
from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.models import BuiltinAction, ClubAction, LoyaltyProgram

MAX_ACTIONS = 100
MAX_NAME = 100
MAX_POINTS = 1_000_000
MAX_CAP = 1_000_000
MAX_PENDING_DAYS = 365
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class InvalidAction(LoyaltyError):
    """An action's settings are out of range or malformed."""

    code = LoyaltyErrorCode.INVALID


class ActionNotFound(LoyaltyError):
    """No such action kind in the program."""

    code = LoyaltyErrorCode.NOT_FOUND


class BuiltinActionKept(LoyaltyError):
    """Built-in kinds are switched off, never deleted (Saleor keeps telling the club about them)."""

    code = LoyaltyErrorCode.NOT_APPLICABLE


# key: (English name, Hebrew name, points, caps (day, month, lifetime), once per object, pending days)
BUILTIN_DEFAULTS = {
    BuiltinAction.ACCOUNT_CREATED: ("Create an account", "פתיחת חשבון", 100, (None, None, 1), False, 0),
    BuiltinAction.NEWSLETTER_SIGNUP: (
        "Join the newsletter",
        "הרשמה לניוזלטר",
        150,
        (None, None, 1),
        False,
        0,
    ),
    BuiltinAction.PRODUCT_REVIEW: ("Review a product", "ביקורת על מוצר", 50, (3, 20, None), True, 14),
    BuiltinAction.SOCIAL_SHARE: ("Share with friends", "שיתוף עם חברים", 100, (3, 10, None), False, 0),
    BuiltinAction.BIRTHDAY_SET: ("Tell us your birthday", "עדכון יום הולדת", 50, (None, None, 1), False, 0),
    BuiltinAction.PROFILE_COMPLETED: ("Complete your profile", "השלמת פרופיל", 50, (None, None, 1), False, 0),
    BuiltinAction.NPS_ANSWER: ("Answer our survey", "מענה על סקר", 20, (None, 5, None), True, 0),
}


def ensure_builtin_actions(program: LoyaltyProgram) -> None:
    """Create the built-in kinds a program lacks (off, with the suggested points); concurrent calls agree."""
    ClubAction.objects.bulk_create(
        [
            ClubAction(
                program=program,
                key=key,
                is_builtin=True,
                name_en=name_en,
                name_he=name_he,
                points=points,
                cap_per_day=day,
                cap_per_month=month,
                cap_lifetime=lifetime,
                once_per_object=once,
                pending_days=pending,
            )
            for key, (
                name_en,
                name_he,
                points,
                (day, month, lifetime),
                once,
                pending,
            ) in BUILTIN_DEFAULTS.items()
        ],
        ignore_conflicts=True,
    )


def catalogue(program: LoyaltyProgram) -> list[ClubAction]:
    ensure_builtin_actions(program)
    return list(ClubAction.objects.filter(program=program).order_by("pk"))


def find_action(program: LoyaltyProgram, key: str, field: str = "action") -> ClubAction:
    action = ClubAction.objects.filter(program=program, key=key).select_related("program").first()
    if action is None and key in BuiltinAction.values:
        ensure_builtin_actions(program)
        action = ClubAction.objects.filter(program=program, key=key).select_related("program").first()
    if action is None:
        raise ActionNotFound(f"No action '{key}' in this program.", field)
    return action


def _name(value, field: str, required: bool) -> str:
    if not isinstance(value, str):
        raise InvalidAction("Must be text.", field)
    value = value.strip()
    if required and not value:
        raise InvalidAction("A name is required.", field)
    if len(value) > MAX_NAME:
        raise InvalidAction(f"At most {MAX_NAME} characters.", field)
    return value


def _cap(value, field: str) -> int | None:
    return None if value is None else whole_number(value, field, InvalidAction, 1, MAX_CAP)


def clean(changes: dict, creating: bool) -> dict:
    """Validated settings (every one checked before anything is written)."""
    cleaned = {}
    for field, value in changes.items():
        if field == "name_en":
            cleaned[field] = _name(value, field, required=True)
        elif field == "name_he":
            cleaned[field] = _name(value if value is not None else "", field, required=False)
        elif field == "points":
            cleaned[field] = whole_number(value, field, InvalidAction, 1, MAX_POINTS)
        elif field in ("cap_per_day", "cap_per_month", "cap_lifetime"):
            cleaned[field] = _cap(value, field)
        elif field == "pending_days":
            cleaned[field] = whole_number(value, field, InvalidAction, 0, MAX_PENDING_DAYS)
        elif field in ("once_per_object", "is_enabled"):
            if not isinstance(value, bool):
                raise InvalidAction("Must be true or false.", field)
            cleaned[field] = value
        elif field == "key" and creating:
            if not isinstance(value, str) or not KEY_PATTERN.match(value):
                raise InvalidAction("1-64 lowercase letters, digits, '-' or '_'.", field)
            if value in BuiltinAction.values:
                raise InvalidAction("That key is a built-in action.", field)
            cleaned[field] = value
        else:
            raise InvalidAction("This setting cannot be changed.", field)
    if creating and not {"key", "name_en", "points"} <= set(cleaned):
        missing = sorted({"key", "name_en", "points"} - set(cleaned))[0]
        raise InvalidAction("Required.", missing)
    return cleaned


def create_action(program: LoyaltyProgram, **settings) -> ClubAction:
    cleaned = clean(settings, creating=True)
    ensure_builtin_actions(program)
    if ClubAction.objects.filter(program=program).count() >= MAX_ACTIONS:
        raise InvalidAction(f"A program has at most {MAX_ACTIONS} actions.", "key")
    try:
        with transaction.atomic():
            return ClubAction.objects.create(program=program, **cleaned)
    except IntegrityError:
        raise InvalidAction(f"An action '{cleaned['key']}' exists already.", "key") from None


def update_action(program: LoyaltyProgram, key: str, **changes) -> ClubAction:
    cleaned = clean(changes, creating=False)
    action = find_action(program, key, "key")
    action = ClubAction.objects.select_for_update().get(pk=action.pk)
    for field, value in cleaned.items():
        setattr(action, field, value)
    action.save()
    return action


def delete_action(program: LoyaltyProgram, key: str) -> None:
    """A custom kind goes; its past awards stay in the ledger with its key (they are facts)."""
    action = find_action(program, key, "key")
    if action.is_builtin:
        raise BuiltinActionKept("Built-in actions cannot be deleted; switch them off instead.", "key")
    action.delete()
