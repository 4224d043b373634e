#!/usr/bin/env bash
# The main job: a month of a small shop through the club engine, then the club report.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
exec "$PY" -m saleor_loyalty.demo "$@"
