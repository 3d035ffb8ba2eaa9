#!/usr/bin/env bash
# User-space instructions per hostcall, from callgrind through a release `wasihost` binary:
# the difference of a 40,000- and a 20,000-call run of one loop in guest.wat, so start-up cancels.
#   bench/callgrind/count.sh BIN FUNC [ENGINE]      e.g. count.sh target/release/wasihost pread
# FUNC is one of guest.wat's exports: write pread fstat stat open_close (clock and poll do not
# run long under valgrind on these machines).
set -euo pipefail
bin=$(realpath "$1"); func=$2; engine=${3:-wasmtime}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/d" && echo "some bytes" > "$work/d/file.txt"
count() {
  (cd "$work" && valgrind --tool=callgrind --callgrind-out-file="$work/out.$1" "$bin" run \
    --engine "$engine" -C cache=n --dir d::. --invoke "$func" "$here/guest.wat" "$1" \
    >/dev/null 2>"$work/err.$1")
  grep -m1 '^totals:' "$work/out.$1" | awk '{print $2}'
}
a=$(count 20000); b=$(count 40000)
echo "$func $engine $(( (b - a) / 20000 ))"
