#!/usr/bin/env bash
# Build every C guest program in tests/guests/src into tests/guests/bin/NAME.wasm.
# Needs Debian's clang, lld, wasi-libc and libclang-rt-dev-wasm32 (.ci/run installs them).
# The built modules are committed, so the tests run on a machine with only Rust;
# .ci/run rebuilds them and fails if the result differs from what is committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/bin"
for src in "$here"/src/*.c; do
  name=$(basename "$src" .c)
  clang --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Werror \
    -ffile-prefix-map="$here"=. -Wl,--strip-debug \
    "$src" -o "$here/bin/$name.wasm"
done
