#!/usr/bin/env bash
# Run every fuzz target for SECONDS seconds (default 10), one job each, starting from the
# committed seed corpus; new inputs go to a scratch copy so the repository stays unchanged.
# Any crash, panic, leak or sanitizer report fails the run.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-10}
cargo +nightly fuzz build
for t in hostcalls paths guest_types; do
  work=$(mktemp -d)
  cp -r "corpus/$t/." "$work/"
  echo "-- $t for ${secs}s"
  status=0
  cargo +nightly fuzz run "$t" "$work" -- -max_total_time="$secs" -print_final_stats=1 \
    > "$work.log" 2>&1 || status=$?
  grep -E "stat::number_of_executed_units|ERROR|panicked|SUMMARY" "$work.log" || true
  [ "$status" -eq 0 ] || tail -40 "$work.log"
  rm -rf "$work" "$work.log"
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $t failed (artifacts in fuzz/artifacts/$t)" >&2
    exit 1
  fi
done
