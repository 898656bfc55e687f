#!/usr/bin/env bash
# Runs every Python instrumentation suite (server/test/instrumentations/python/*/, one
# virtualenv each, since the libraries pin conflicting versions) through scripts/python-suite.sh.
# Exits non-zero if any suite fails, after running them all.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
failed=()
for dir in "$ROOT"/server/test/instrumentations/python/*/; do
  [ -f "$dir/requirements.txt" ] || continue
  echo "python suite: ${dir#"$ROOT"/}"
  bash "$ROOT/scripts/python-suite.sh" "$dir" || failed+=("${dir#"$ROOT"/}")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "python suites failed: ${failed[*]}" >&2
  exit 1
fi
