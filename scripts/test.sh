#!/usr/bin/env bash
# Runs the whole test suite with bun test and prints CI's closing line "N passed, N failed"
# from bun's own counts. The compiled binary is built first: the end-to-end tests drive it.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
bash scripts/test-deps.sh
bun scripts/build.ts || { echo "0 passed, 1 failed"; exit 1; }
log=$(mktemp)
bun test --timeout 120000 "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
count() { grep -E "^ *[0-9]+ $1\$" "$log" | tail -1 | awk '{print $1}'; }
pass=$(count pass); fail=$(count fail); skip=$(count skip); todo=$(count todo)
rm -f "$log"
if [ -z "$pass$fail" ]; then echo "bun test printed no summary (rc=$rc)"; echo "0 passed, 1 failed"; exit $(( rc == 0 ? 1 : rc )); fi
skipped=$(( ${skip:-0} + ${todo:-0} ))
if [ "$skipped" -gt 0 ]; then echo "$skipped skipped or todo"; fi
echo "${pass:-0} passed, ${fail:-0} failed"
exit "$rc"
