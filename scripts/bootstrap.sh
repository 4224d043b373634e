# Sourced by the demo and test scripts: finds Python 3.12 and prepares .venv with the project installed.
# The venv sees the chosen Python's packages, also when that Python is itself a virtualenv's (Saleor's
# docs install Saleor into one), so a Saleor installed there is importable from .venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

find_python312() {
  local candidate
  for candidate in "${LOYALTY_PYTHON:-}" "$(command -v pyenv >/dev/null 2>&1 && ls -d "$(pyenv root)"/versions/3.12*/bin/python3.12 2>/dev/null | sort -V | tail -n 1)" \
                   "$(ls -d "$HOME"/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | sort -V | tail -n 1)" \
                   "$(command -v python3.12 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.12 not found (set LOYALTY_PYTHON)" >&2; return 1
}

BASE_PY="$(find_python312)"
VENV="$ROOT/.venv"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.base-python" 2>/dev/null)" != "$BASE_PY" ]; then
  rm -rf "$VENV"  # made from another Python: its packages would hide the chosen one's
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$BASE_PY" -m venv --system-site-packages "$VENV"
  # --system-site-packages reaches the base interpreter only; a virtualenv's own site-packages (and the
  # .pth files in it) are added explicitly, after .venv's own.
  "$BASE_PY" -c 'import site; print("\n".join(site.getsitepackages()))' | while read -r dir; do
    printf 'import site; site.addsitedir(%s)\n' "'$dir'"
  done > "$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/_loyalty_base_python.pth"
  echo "$BASE_PY" > "$VENV/.base-python"
fi
STAMP="$VENV/.installed-$(cat "$ROOT/pyproject.toml" | sha1sum | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]" 2> >(grep -v "^WARNING: Location" >&2)
  touch "$STAMP"
fi
PY="$VENV/bin/python"
