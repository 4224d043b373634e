#!/usr/bin/env bash
# The project's test command (README, .ci/run): the engine tier always, the Saleor tier whenever
# `import saleor` works in the project's Python, the browser tier whenever Node is present. Prints which tiers ran.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"

ran=()
echo "== Lint (ruff format --check, ruff check) =="
# The ruff binary wherever pip put it (.venv, or the chosen Python's own environment when it already
# had ruff: `python -m ruff` looks only beside the running interpreter).
RUFF="$("$PY" -c 'import importlib.metadata as m; d = m.distribution("ruff"); print(next(d.locate_file(f).resolve() for f in d.files if f.name == "ruff" and f.parent.name == "bin"))')"
"$RUFF" format --check --quiet .
"$RUFF" check --quiet .

echo "== Engine tier (real PostgreSQL: DATABASE_URL, else embedded) =="
"$PY" -m pytest tests/engine --ds=tests.engine.settings -p no:cacheprovider -q "$@"
ran+=("engine")

if "$PY" -c 'import saleor' 2>/dev/null; then
  echo "== Saleor tier (Saleor $("$PY" -c 'import saleor; print(saleor.__version__)'), its fixtures and GraphQL API) =="
  "$PY" -m pytest tests/saleor_tier --ds=tests.saleor_tier.settings --reuse-db -p no:cacheprovider -q "$@"
  ran+=("saleor")
else
  echo "== Saleor tier skipped: 'import saleor' fails in $PY (install Saleor 3.23 into that Python to run it) =="
fi
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  echo "== Browser tier (Node $(node --version): npm ci, build check, type check, Vitest, Playwright on Debian's Chromium) =="
  CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
  if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    CHROMIUM="$(command -v chromium)"
  fi
  [ -n "$CHROMIUM" ] || { echo "Chromium not found (apt-get install chromium, or set CHROMIUM)" >&2; exit 1; }
  (
    cd frontend
    lock_stamp="node_modules/.ci-$(sha1sum package-lock.json | cut -c1-12)"
    if [ ! -f "$lock_stamp" ]; then
      npm ci --no-audit --no-fund --loglevel=error
      touch "$lock_stamp"
    fi
    node scripts/check-build.mjs   # the committed build under saleor_loyalty/dashboard/static matches the sources
    npx tsc --noEmit -p .          # the type check over src/ and test/ (tsconfig.json)
    npx vitest run
    CHROMIUM="$CHROMIUM" LOYALTY_PY="$PY" node --test --test-concurrency=1 e2e/
  )
  ran+=("browser")
else
  echo "== Browser tier skipped: Node and npm not found (the committed build is used as is) =="
fi
echo "Tiers ran: ${ran[*]}"
