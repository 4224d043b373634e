"""The only writer of ledger rows (this package; callers use `ledger.<function>`).

Design overview
- Every change of points is a new `LedgerEntry`; nothing here updates or deletes a row.
- Every writer runs in one transaction that locks the account row (`select_for_update`, pk order),
  inserts the row inside a savepoint, and updates the cached `balance` / `lifetime_earned` in that
  same transaction. If the insert hits the (kind, source_key) unique constraint, the event was
  already recorded: nothing changes, and the caller is told it was a duplicate. The hot paths (a new
  earn, an action award: accrual.py, action_awards.py) lock inside their one write statement instead,
  only if the account row is still the version their unlocked read saw; else they lock first.
- Orders are synced, not "handled": `sync_order` brings the ledger to what the order's current
  facts call for (earned once if paid; cumulative reversal for refunds and cancellation). So an
  event delivered twice, late, out of order or from two workers at once converges to the same rows.
- Reversals take their numbers from the earn row's snapshot, never from today's program.
- Expiry writes one `expire` row per lot for what the lot replay (lots.py) says is left of it;
  spending is never attributed at write time, so which lot was spent can always be derived again.
- When a reversal needs more points than the member has, the program's policy decides: DEBT lets
  the balance go negative (future earnings pay it back first, simply because the balance is a
  sum), CLAMP stops at zero and records the rest as `forgiven_points` so it is not retried.
"""

from saleor_loyalty.ledger.accounts import (
    SYSTEM,
    account_for,
    effective_account,
    from_micros,
    int_array,
    lock_account,
    micros_sql,
    normalize_email,
    pending_points,
    reconcile_account,
    replay_accounts,
    to_micros,
)
from saleor_loyalty.ledger.orders import OrderSyncResult, earn_source_key, sync_order
from saleor_loyalty.ledger.writers import (
    adjust_points,
    attach_guest_accounts,
    award_birthday_points,
    birthday_source_key,
    expire_lots,
    expire_source_key_sql,
    redeem_points,
    redemption_source_key,
)

__all__ = [
    "SYSTEM",
    "OrderSyncResult",
    "account_for",
    "adjust_points",
    "attach_guest_accounts",
    "award_birthday_points",
    "birthday_source_key",
    "earn_source_key",
    "effective_account",
    "expire_lots",
    "expire_source_key_sql",
    "from_micros",
    "int_array",
    "lock_account",
    "micros_sql",
    "normalize_email",
    "pending_points",
    "reconcile_account",
    "redeem_points",
    "redemption_source_key",
    "replay_accounts",
    "sync_order",
    "to_micros",
]
