#!/usr/bin/env bash
# Every Parquet file tokenmaxx writes, queried by real clients (DuckDB, pyarrow, polars):
# creates (or reuses) a virtualenv at $VENV (default .venv), installs tests/interop's
# requirements and runs its pytest suite against $TOKENMAXX_BIN (default target/debug/tokenmaxx).
set -euo pipefail
cd "$(dirname "$0")/../.."
export TOKENMAXX_BIN="${TOKENMAXX_BIN:-$PWD/target/debug/tokenmaxx}"
[ -x "$TOKENMAXX_BIN" ] || cargo build --quiet
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/interop/requirements.txt
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/interop
