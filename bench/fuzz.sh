#!/usr/bin/env bash
# Fuzzes artsite's manifest loading, lenient JSON reader and Markdown
# sanitising for a bounded time. Not part of CI.
#
#   bench/fuzz.sh [SECONDS]            per target (default 60): cargo-fuzz on a nightly
#                                      toolchain when there is one, else the stable harness
#   bench/fuzz.sh --stable [SECONDS]   the stable-Rust harness (tests/suite/fuzz.rs) only
#
# cargo-fuzz needs `cargo install cargo-fuzz` and `rustup toolchain install nightly`.
# Crashes land in fuzz/artifacts/{target}/ (cargo-fuzz) or target/fuzz-failures/
# (stable harness); move each to fuzz/regressions/{target}/ so `cargo test` keeps
# checking it, and fix the bug.
set -euo pipefail
cd "$(dirname "$0")/.."

stable=0
if [ "${1:-}" = "--stable" ]; then stable=1; shift; fi
secs="${1:-60}"
targets="lenient_json manifest markdown"

if [ "$stable" = 0 ] && rustup toolchain list 2>/dev/null | grep -q '^nightly' && cargo fuzz --version >/dev/null 2>&1; then
  for t in $targets; do
    mkdir -p "fuzz/corpus/$t"
    echo "== cargo fuzz: $t for ${secs}s"
    cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
      -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10
  done
else
  echo "== stable harness: ${secs}s per target"
  ARTSITE_FUZZ_SECONDS="$secs" cargo test --release --test suite -- --ignored --nocapture fuzz::random_inputs
fi
