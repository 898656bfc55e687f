#!/usr/bin/env bash
# Lints and format-checks the Python code (the SDK and the instrumentation suites) with ruff
# (settings in ruff.toml), and type-checks the SDK with mypy --strict, from the SDK's
# virtualenv (sdk/python/.venv, made by scripts/python-suite.sh with the SDK's lint extras).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPANLENS_PREPARE_ONLY=1 bash "$ROOT/scripts/python-suite.sh" "$ROOT/sdk/python"
BIN="$ROOT/sdk/python/.venv/bin"
cd "$ROOT"
PY_DIRS=(sdk/python server/test/instrumentations/python)
"$BIN/ruff" check --no-cache "${PY_DIRS[@]}"
"$BIN/ruff" format --no-cache --check "${PY_DIRS[@]}"
"$BIN/mypy" --strict --no-incremental --cache-dir=/dev/null sdk/python/src/spanlens
