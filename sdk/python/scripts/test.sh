#!/usr/bin/env bash
# Runs the Python SDK's tests (sdk/python/tests) from any directory. Makes sdk/python/.venv if it is
# missing, (re)installs the package with its test extras when pyproject.toml changed, then runs
# pytest against fake LLM servers and the real Spanlens (started with node from the repo root, so
# the root's npm dependencies must be installed). Exits non-zero when a test fails.
set -euo pipefail

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$SDK_DIR/.venv"
PY="$VENV/bin/python"
PYTHON="${PYTHON:-python3}"

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "sdk/python: needs Python >= 3.11 ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi

if [ ! -x "$PY" ] || ! "$PY" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi

# Install only when the package's metadata changed since the last install (or it is not importable).
STAMP="$VENV/.spanlens-installed"
WANT="$(cat "$SDK_DIR/pyproject.toml" | "$PY" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ] \
  || ! "$PY" -c 'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ("spanlens", "openai", "anthropic", "httpx", "pytest", "pytest_asyncio", "build")))' >/dev/null 2>&1; then
  "$PY" -m pip install -q --disable-pip-version-check -e "$SDK_DIR[test]"
  echo "$WANT" > "$STAMP"
fi

cd "$SDK_DIR"
export PYTHONDONTWRITEBYTECODE=1
exec "$PY" -m pytest -q -p no:cacheprovider "$SDK_DIR/tests" "$@"
