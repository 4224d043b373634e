#!/usr/bin/env bash
# On-demand benchmarks: `bash scripts/bench.sh NAME [--help]` runs bench/NAME.py (`ls bench` lists them: most need no
# Saleor; celery_scale and me_scale use the machine's PostgreSQL on 127.0.0.1, celery_scale also RabbitMQ).
# `bash scripts/bench.sh checkout` (needs Saleor importable; compares plugin on/off in one run) and
# `bash scripts/bench.sh checkout_profile` (the eager shape split into Saleor's request and each club task).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
name="${1:-}"
case "$name" in
  checkout) exec "$PY" -m pytest bench/checkout/checkout_overhead.py \
              --ds=tests.saleor_tier.settings --reuse-db -p no:cacheprovider -q -s ;;
  checkout_profile) exec "$PY" -m pytest bench/checkout/eager_profile.py \
              --ds=tests.saleor_tier.settings --reuse-db -p no:cacheprovider -q -s ;;
esac
if [[ "$name" =~ ^[a-z_]+$ ]] && [ -f "bench/$name.py" ] && [ "$name" != fresh_database ] && [ "$name" != celery_scale_app ]; then
  shift
  exec "$PY" "bench/$name.py" "$@"
fi
echo "usage: scripts/bench.sh NAME, one of: $(cd bench && ls *.py | sed 's/\.py$//' | grep -v -e fresh_database -e celery_scale_app | tr '\n' ' ')checkout checkout_profile" >&2
exit 2
