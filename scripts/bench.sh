#!/usr/bin/env bash
# On-demand benchmarks: `bash scripts/bench.sh accrual` or `... abandonment` (no Saleor needed) or
# `bash scripts/bench.sh checkout` (needs Saleor importable; compares plugin on/off in one run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
case "${1:-accrual}" in
  accrual) shift || true; exec "$PY" bench/accrual.py "$@" ;;
  abandonment) shift || true; exec "$PY" bench/abandonment.py "$@" ;;
  checkout) exec "$PY" -m pytest bench/checkout_overhead.py -p tests.saleor_tier.conftest \
              --ds=tests.saleor_tier.settings --reuse-db -p no:cacheprovider -q -s ;;
  *) echo "usage: scripts/bench.sh accrual|abandonment|checkout" >&2; exit 2 ;;
esac
