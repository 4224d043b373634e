"""Saleor's customers as the actions catalogue needs them: is a profile complete?"""


def complete_profile_email(user_id: int) -> str | None:
    """The customer's email when their Saleor profile is complete (first and last name, and an address
    with a phone number), else None. Read afresh: the hook's object may be stale."""
    from saleor.account.models import User

    user = User.objects.filter(pk=user_id, is_staff=False).first()
    if user is None or not (user.first_name.strip() and user.last_name.strip()):
        return None
    if not user.addresses.exclude(phone="").exists():
        return None
    return user.email
