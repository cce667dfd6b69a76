#!/usr/bin/env bash
# Installs artsite into a virtual environment of its own (hosted runners'
# Python refuses system-wide installs) and puts it on PATH for later steps.
# INPUT_WHEEL: a wheel file to install; else INPUT_VERSION from the package
# index (empty: the newest). ARTSITE_VENV: where (default under RUNNER_TEMP).
set -euo pipefail
venv="${ARTSITE_VENV:-${RUNNER_TEMP:-/tmp}/artsite-venv}"
python3 -m venv "$venv"
if [ -n "${INPUT_WHEEL:-}" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$INPUT_WHEEL"
else
  "$venv/bin/pip" install --quiet --disable-pip-version-check "artsite${INPUT_VERSION:+==$INPUT_VERSION}"
fi
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$venv/bin" >> "$GITHUB_PATH"
fi
"$venv/bin/artsite" --version
