#!/usr/bin/env bash
# The Python wheel and the GitHub Action, end to end (run by .ci/run):
# builds the wheel with maturin, installs it with the action's installer into
# a fresh virtual environment, checks the installed binary's --version
# against Cargo.toml, builds the example with it, and runs the action's step
# script on the example for a passing and a failing run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "package test: $*" >&2; exit 1; }

echo "-- wheel"
python3 -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.5,<2"
# The dev profile reuses what `cargo test` compiled; a release wheel is
# `maturin build --release` (see the README).
(cd "$repo" && "$work/tools/bin/maturin" build --profile dev --out "$work/wheels")
wheel="$(ls "$work"/wheels/artsite-*.whl)"
case "$(basename "$wheel")" in
  *manylinux*_x86_64.whl) ;;
  *) fail "not a manylinux x86_64 wheel: $wheel" ;;
esac

echo "-- install (action/install.sh)"
ARTSITE_VENV="$work/venv" INPUT_WHEEL="$wheel" GITHUB_PATH="$work/path" bash "$repo/action/install.sh"
PATH="$(cat "$work/path"):$PATH"
[ "$(command -v artsite)" = "$work/venv/bin/artsite" ] || fail "artsite on PATH is $(command -v artsite)"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -1)"
got="$(artsite --version)"
case "$got" in
  "artsite $version (features: "*) ;;
  *) fail "--version says '$got', Cargo.toml says $version" ;;
esac

echo "-- the installed artsite builds the example"
artsite build -q --root "$repo/examples/artifacts" --out "$work/site"
[ -f "$work/site/index.html" ] || fail "no index.html"

echo "-- the action's step (action/run.sh)"
step() { # name, expected exit code, extra environment...
  local name="$1" want="$2"; shift 2
  local got=0
  (cd "$work" && env GITHUB_STEP_SUMMARY="$work/$name.md" GITHUB_OUTPUT="$work/$name.out" \
    INPUT_ROOT="$repo/examples/artifacts" INPUT_OUT="$work/$name-site" "$@" bash "$repo/action/run.sh") || got=$?
  [ "$got" = "$want" ] || fail "$name: exit $got, expected $want"
  [ -f "$work/$name-site/index.html" ] || fail "$name: the site was not built"
}
step passing 0 INPUT_RUN=2024-03-01_09-00-00_ci-runner
grep -q "PASS" "$work/passing.md" || fail "the summary has no verdict: $(cat "$work/passing.md")"
grep -qx "verdict=pass" "$work/passing.out" || fail "outputs: $(cat "$work/passing.out")"
step failing 1
grep -q "FAIL" "$work/failing.md" || fail "the summary has no verdict: $(cat "$work/failing.md")"
grep -qx "verdict=fail" "$work/failing.out" || fail "outputs: $(cat "$work/failing.out")"
step lenient 0 INPUT_FAIL_ON=never
echo "package test: ok"
