#!/usr/bin/env bash
# On-demand benchmarks: `bash scripts/bench.sh accrual|expiry|tiers|redemption|abandonment|guards|reconciliation [--help]`
# (no Saleor needed), `bash scripts/bench.sh celery_scale|me_scale [--help]` (the machine's PostgreSQL on 127.0.0.1;
# celery_scale also RabbitMQ), `bash scripts/bench.sh checkout` (needs Saleor importable; compares plugin on/off in
# one run) and `bash scripts/bench.sh checkout_profile` (the eager shape split into Saleor's request and each club task).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
case "${1:-}" in
  accrual) shift; exec "$PY" bench/accrual.py "$@" ;;
  expiry) shift; exec "$PY" bench/expiry.py "$@" ;;
  tiers) shift; exec "$PY" bench/tiers.py "$@" ;;
  redemption) shift; exec "$PY" bench/redemption.py "$@" ;;
  abandonment) shift; exec "$PY" bench/abandonment.py "$@" ;;
  guards) shift; exec "$PY" bench/guards.py "$@" ;;
  reconciliation) shift; exec "$PY" bench/reconciliation.py "$@" ;;
  celery_scale) shift; exec "$PY" bench/celery_scale.py "$@" ;;
  me_scale) shift; exec "$PY" bench/me_scale.py "$@" ;;
  checkout) exec "$PY" -m pytest bench/checkout/checkout_overhead.py \
              --ds=tests.saleor_tier.settings --reuse-db -p no:cacheprovider -q -s ;;
  checkout_profile) exec "$PY" -m pytest bench/checkout/eager_profile.py \
              --ds=tests.saleor_tier.settings --reuse-db -p no:cacheprovider -q -s ;;
  *) echo "usage: scripts/bench.sh accrual|expiry|tiers|redemption|abandonment|guards|reconciliation|celery_scale|me_scale|checkout|checkout_profile" >&2; exit 2 ;;
esac
