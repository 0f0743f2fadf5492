#!/usr/bin/env bash
# Execute the notebooks headless with the tokenmaxx Python package, at small sizes.
# Creates (or reuses) a virtualenv at $VENV (default .venv), kept out of the Rust build, and
# installs notebooks/requirements.txt and the package (`pip install ./python`; the extension
# builds in the dev profile into target/, seconds once python/run_tests.sh has built it).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r notebooks/requirements.txt
"$VENV/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps ./python
TOKENMAXX_EMPLOYEES="${TOKENMAXX_EMPLOYEES:-2000}" TOKENMAXX_REPLICATIONS="${TOKENMAXX_REPLICATIONS:-3}" \
    "$VENV/bin/python" notebooks/execute.py notebooks/explore_run.ipynb notebooks/compare_policies.ipynb
