#!/usr/bin/env bash
# Runs the Python SDK's tests (sdk/python/tests) in sdk/python/.venv, through the same
# mechanism as every Python suite (scripts/python-suite.sh): the package installed editable with
# its test extras, pytest against fake LLM servers and the real Spanlens. Exits non-zero when a
# test fails.
set -euo pipefail
SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$SDK_DIR/../../scripts/python-suite.sh" "$SDK_DIR" "$@"
