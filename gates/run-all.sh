#!/usr/bin/env bash
# Runs the quality gates on a built artsite site and exits non-zero naming each failing gate.
#
#   gates/run-all.sh SITE_DIR   run the gates on that built site
#   gates/run-all.sh            build the example site (examples/artifacts) once per built-in theme,
#                               and the example's runs with the real-tools fixture's, into a
#                               temporary folder and run the gates on each build
#
# The gates, each also runnable alone (see README "Quality gates"):
#   link-check     every internal link and #fragment resolves (the Rust checker of tests/suite/util.rs)
#   html-validate  Nu Html Checker over every page and stylesheet: zero errors
#   offline-check  no page or stylesheet loads anything from another host
#   browser-check  headless Chromium, HTTP + file://, light + dark: no console error, failed
#                  request or uncaught exception; axe-core: no serious or critical violation
# Needs: node + `npm ci` in gates/ (run here when node_modules is missing), java, chromium, cargo.
set -euo pipefail
gates="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$gates")"
# Under `npm run all`, the working directory is gates/: go back to where npm was started.
cd "${INIT_CWD:-.}"

# Built-in themes (`artsite theme list`); each gets its own site and its own gate run.
THEMES=(default compact)
theme_flags() { echo "--theme $1"; }

if [ ! -d "$gates/node_modules/playwright-core" ]; then
  (cd "$gates" && npm ci --ignore-scripts --no-audit --no-fund)
fi

failed=()
passed=0

# Runs every gate on one site, noting (not stopping at) each failure. Each gate is bounded in time.
run_gates() {
  local site label="$2"
  site="$(cd "$1" && pwd)"
  echo "== gates on $label ($site)"
  local gate t
  for gate in link-check html-validate offline-check browser-check; do
    echo "-- $gate"
    t=$SECONDS
    if run_gate "$gate" "$site"; then
      passed=$((passed + 1))
    else
      failed+=("$gate on $label")
    fi
    echo "-- $gate took $((SECONDS - t))s"
  done
}

run_gate() {
  if [ "$1" = link-check ]; then
    # The Rust link checker of tests/suite/example_site.rs, pointed at this site.
    (cd "$repo" && ARTSITE_CHECK_SITE="$2" timeout 600 \
      cargo test --locked -q --test suite -- --exact example_site::no_internal_link_or_fragment_is_broken) && return
    echo "link-check: FAIL (the broken links are listed above, each with its page)" >&2
    return 1
  fi
  timeout 900 node "$gates/$1.mjs" "$2"
}

start=$SECONDS
if [ $# -ge 1 ]; then
  run_gates "$1" "$1"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  for theme in "${THEMES[@]}"; do
    echo "== building the example site with theme $theme"
    # shellcheck disable=SC2046 # theme_flags is empty or two words on purpose
    if ! (cd "$repo" && cargo run --locked -q -- build --quiet --root examples/artifacts \
          --out "$work/site-$theme" $(theme_flags "$theme")); then
      echo "gates: FAILED building the example site with theme $theme" >&2
      exit 1
    fi
    run_gates "$work/site-$theme" "example site, theme $theme"
  done
  # A messier tree of more runs: the example's runs beside the real-tools fixture's (pandera's
  # failure cases, NaN, records_in/records_out), so every page kind is checked on data it was not
  # written for.
  echo "== building the example and real-tools runs together"
  mkdir -p "$work/mixed"
  cp -R "$repo/examples/artifacts/." "$repo/tests/fixtures/real_tools/artifacts/." "$work/mixed/"
  if ! (cd "$repo" && cargo run --locked -q -- build --quiet --root "$work/mixed" --out "$work/site-mixed"); then
    echo "gates: FAILED building the mixed tree" >&2
    exit 1
  fi
  run_gates "$work/site-mixed" "example and real-tools runs, theme default"
fi

echo "gates: took $((SECONDS - start))s"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'gates: FAILED %s\n' "${failed[@]}" >&2
fi
echo "gates: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
