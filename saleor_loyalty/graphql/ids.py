"""Global IDs the way Saleor writes them (base64 of "<Type>:<id>"): one formatter, one parser.

Every id the club API answers is a global ID, and every id it takes is parsed here, so a wrong
type, a malformed value or an over-long string is always a typed error on the argument's field,
never an exception from base64 or int().
"""

import binascii
import re
import uuid

import graphene

from saleor_loyalty.exceptions import LoyaltyError

MAX_GLOBAL_ID_LENGTH = 256
MAX_PK = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def to_global_id(type_name: str, pk) -> str:
    return graphene.Node.to_global_id(type_name, pk)


def parse(global_id, type_name: str, field: str, error: type[LoyaltyError] = LoyaltyError) -> str:
    """The raw id inside a global ID of `type_name`; anything else raises `error` on `field`."""
    if isinstance(global_id, str) and 0 < len(global_id) <= MAX_GLOBAL_ID_LENGTH:
        try:
            found, raw = graphene.Node.from_global_id(global_id)
        except (ValueError, TypeError, UnicodeDecodeError, binascii.Error):
            found, raw = None, ""
        if found == type_name and raw:
            return raw
    shown = global_id[:64] if isinstance(global_id, str) else global_id
    raise error(f"Couldn't resolve to a {type_name}: {shown}", field)


def int_pk(global_id, type_name: str, field: str, error: type[LoyaltyError] = LoyaltyError) -> int:
    """A numeric primary key (Saleor's products, users, shipping methods; the club's own rows)."""
    raw = parse(global_id, type_name, field, error)
    if _DIGITS.fullmatch(raw) and 0 < int(raw) <= MAX_PK:
        return int(raw)
    raise error(f"Couldn't resolve to a {type_name}: {global_id}", field)


def uuid_pk(value, type_name: str, field: str, error: type[LoyaltyError] = LoyaltyError) -> uuid.UUID:
    """A UUID primary key (Saleor's checkouts and orders) from its global ID or, for tokens, the bare UUID."""
    if isinstance(value, str) and len(value) == 36:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raw = parse(value, type_name, field, error)
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise error(f"Couldn't resolve to a {type_name}: {value}", field) from None
