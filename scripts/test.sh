#!/usr/bin/env bash
# Runs the whole test suite; pytest's exit code 5 ("no tests collected") counts as a failure
# here on purpose, so a broken collection can never pass CI silently.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
    echo "no tests were collected" >&2
fi
exit "$rc"
