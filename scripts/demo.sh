#!/usr/bin/env bash
# The main job: a month of a small shop through the club engine, then the club report.
# `--serve`: the same month, then the Dashboard app and the club card on it, without Saleor (a stand-in
# Dashboard with a demo staff identity, a stand-in storefront) at http://127.0.0.1:8765 until Ctrl-C.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
if [ "${1:-}" = "--serve" ]; then
  shift
  exec "$PY" -m saleor_loyalty.dashboard.standalone --seed demo "$@"
fi
exec "$PY" -m saleor_loyalty.demo "$@"
