"""Staff-defined segments: a name and filters (`segment_filters`), counted and listed on demand.

Saved filters are parsed again when read, so a filter whose tier was deleted since answers a typed
error instead of a wrong list. At most 100 saved segments per program.
"""

from django.db import IntegrityError, transaction

from saleor_loyalty.error_codes import LoyaltyErrorCode
from saleor_loyalty.exceptions import LoyaltyError
from saleor_loyalty.insights import segment_filters
from saleor_loyalty.models import LoyaltyAccount, LoyaltyProgram, SavedSegment

MAX_NAME = 100
MAX_PER_PROGRAM = 100


class SavedSegmentNotFound(LoyaltyError):
    code = LoyaltyErrorCode.NOT_FOUND
    field = "id"


def _name(name) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned or len(cleaned) > MAX_NAME:
        raise LoyaltyError(f"A name has 1 to {MAX_NAME} characters.", "name")
    return cleaned


def _save(saved: SavedSegment) -> SavedSegment:
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError:
        raise LoyaltyError("Another saved segment has this name.", "name") from None
    return saved


def create(program: LoyaltyProgram, name, filters) -> SavedSegment:
    if SavedSegment.objects.filter(program=program).count() >= MAX_PER_PROGRAM:
        raise LoyaltyError(f"At most {MAX_PER_PROGRAM} saved segments per channel.", "name")
    return _save(
        SavedSegment(program=program, name=_name(name), filters=segment_filters.parse(program, filters))
    )


def get(program: LoyaltyProgram, pk: int) -> SavedSegment:
    saved = SavedSegment.objects.filter(program=program, pk=pk).first()
    if saved is None:
        raise SavedSegmentNotFound("No such saved segment in this channel.")
    return saved


def update(program: LoyaltyProgram, pk: int, name=None, filters=None) -> SavedSegment:
    saved = get(program, pk)
    if name is not None:
        saved.name = _name(name)
    if filters is not None:
        saved.filters = segment_filters.parse(program, filters)
    return _save(saved)


def delete(program: LoyaltyProgram, pk: int) -> None:
    get(program, pk).delete()


def members(program: LoyaltyProgram, filters: dict):
    """The program's members (merged guests are gone) matching the filters, as a queryset."""
    parsed = segment_filters.parse(program, filters)
    accounts = LoyaltyAccount.objects.filter(program=program, merged_into__isnull=True)
    return segment_filters.narrow(accounts, program, parsed)
