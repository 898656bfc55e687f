#!/usr/bin/env bash
# Runs one Python test suite in its own virtualenv: DIR/.venv, made when missing, (re)installed
# from DIR/requirements.txt (pip run inside DIR, so `-e .` means DIR) whenever that file or
# DIR/pyproject.toml changed. Then pytest on DIR/tests if it exists, else DIR. Suites that
# start Spanlens run it with node from the repo root, so the root's npm dependencies must be
# installed. Usage: scripts/python-suite.sh DIR [pytest args...]
set -euo pipefail

DIR="$(cd "$1" && pwd)"
shift
VENV="$DIR/.venv"
PY="$VENV/bin/python"
PYTHON="${PYTHON:-python3}"

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "$DIR: needs Python >= 3.11 ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x "$PY" ] || ! "$PY" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi

STAMP="$VENV/.spanlens-installed"
WANT="$({ cat "$DIR/requirements.txt"; cat "$DIR/pyproject.toml" 2>/dev/null || true; } | "$PY" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ] || ! "$PY" -c 'import pytest' >/dev/null 2>&1; then
  (cd "$DIR" && "$PY" -m pip install -q --disable-pip-version-check -r requirements.txt)
  echo "$WANT" > "$STAMP"
fi

# SPANLENS_PREPARE_ONLY=1: the virtualenv, up to date, and no tests (scripts/python-lint.sh).
[ "${SPANLENS_PREPARE_ONLY:-}" = 1 ] && exit 0

TESTS="$DIR"
[ -d "$DIR/tests" ] && TESTS="$DIR/tests"
cd "$DIR"
export PYTHONDONTWRITEBYTECODE=1
exec "$PY" -m pytest -q -p no:cacheprovider "$TESTS" "$@"
