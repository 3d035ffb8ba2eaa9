#!/usr/bin/env bash
# Build the C guest programs of the side-by-side benchmark into bench/guests/bin/NAME.wasm.
# Needs Debian's clang, lld, wasi-libc and libclang-rt-dev-wasm32 (as tests/guests/build.sh).
# The built modules are committed, so the benchmark runs on a machine with only Rust.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/bin"
for src in "$here"/src/*.c; do
  name=$(basename "$src" .c)
  clang --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Werror \
    -ffile-prefix-map="$here"=. -Wl,--strip-debug \
    "$src" -o "$here/bin/$name.wasm"
done
