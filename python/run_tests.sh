#!/usr/bin/env bash
# Build the Python package's wheel (maturin from PyPI, through pip as `pip install ./python`
# does), install it in a fresh virtual environment with the test requirements and EMA
# Workbench, and run python/tests. The CLI binary the tests compare with is $TOKENMAXX_BIN
# (default target/debug/tokenmaxx, built when missing).
#
# The extension builds in the dev profile into the repository's target/ (a workspace member):
# the first build compiles its own copy of the dependencies (pyo3's macros change the feature
# set), about 7 minutes on 2 cores; later builds take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
export TOKENMAXX_BIN="${TOKENMAXX_BIN:-$PWD/target/debug/tokenmaxx}"
[ -x "$TOKENMAXX_BIN" ] || cargo build --quiet
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check -r python/requirements-test.txt
# Optional: without it the EMA tests skip, saying so (the SALib mapping is tested either way).
"$PY" -m pip install --quiet --disable-pip-version-check "ema_workbench==2.5.3" \
    || echo "warning: ema_workbench could not be installed; the EMA Workbench tests will be skipped" >&2
start=$(date +%s)
"$PY" -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$WORK/wheels" ./python
echo "wheel built in $(( $(date +%s) - start )) s: $(cd "$WORK/wheels" && ls)"
"$PY" -m pip install --quiet --disable-pip-version-check "$WORK"/wheels/tokenmaxx-*.whl
# From outside the source tree, so `import tokenmaxx` is the installed wheel.
cd "$WORK"
"$PY" -m pytest -q -p no:cacheprovider -rs "$OLDPWD/python/tests"
