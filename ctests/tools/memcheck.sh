#!/usr/bin/env bash
# Runs C tests under valgrind memcheck: any invalid access or definite leak
# (in our library or the test) fails.   memcheck.sh TEST_BIN...
set -euo pipefail
for bin in "$@"; do
  log=$(basename "$bin").memcheck.log
  if ! valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
       --show-leak-kinds=definite "$bin" >"$log" 2>&1; then
    grep -v "ZOO_" "$log" | tail -40
    echo "memcheck: $(basename "$bin") FAILED"
    exit 1
  fi
  echo "memcheck: $(basename "$bin"): $(grep -h 'ERROR SUMMARY' "$log" | sed 's/==[0-9]*== //')"
done
