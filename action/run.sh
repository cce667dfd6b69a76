#!/usr/bin/env bash
# The action's work, in the order a team wants it: judge the run into the
# job summary (Markdown), build the site whatever the verdict (so everyone
# sees why a run failed), then fail the step when the verdict says so.
# Inputs come as INPUT_* variables (see action.yml); GITHUB_STEP_SUMMARY and
# GITHUB_OUTPUT are GitHub's files (standard output and /dev/null elsewhere).
set -euo pipefail
root="${INPUT_ROOT:-artifacts}"
out="${INPUT_OUT:-public}"
config=()
if [ -n "${INPUT_CONFIG:-}" ]; then config=(--config "$INPUT_CONFIG"); fi
base_url=()
if [ -n "${INPUT_BASE_URL:-}" ]; then base_url=(--base-url "$INPUT_BASE_URL"); fi
run=()
if [ -n "${INPUT_RUN:-}" ]; then run=(--run "$INPUT_RUN"); fi
summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"
outputs="${GITHUB_OUTPUT:-/dev/null}"

verdict=pass
artsite check --root "$root" "${config[@]}" "${base_url[@]}" "${run[@]}" \
  --format markdown --fail-on "${INPUT_FAIL_ON:-fail}" >> "$summary" || verdict=fail
echo "verdict=$verdict" >> "$outputs"

artsite build --root "$root" --out "$out" "${config[@]}" "${base_url[@]}"

if [ "$verdict" = fail ]; then
  echo "::error title=artsite::the judged run's verdict fails the check (fail-on: ${INPUT_FAIL_ON:-fail}); see the job summary"
  exit 1
fi
