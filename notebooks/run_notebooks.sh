#!/usr/bin/env bash
# Execute the notebooks headless against a small run and a small sweep made here.
# Creates (or reuses) a virtualenv at $VENV (default .venv), kept out of the Rust build.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${TOKENMAXX_BIN:-target/debug/tokenmaxx}"
[ -x "$BIN" ] || cargo build --quiet
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r notebooks/requirements.txt

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$BIN" run amazon-2026 --employees 2000 --events --quiet --no-charts --out "$WORK/run"
cat > "$WORK/sweep.toml" <<'TOML'
name = "notebook-sweep"
base = "target-only"
replications = 3
seed = 2
[parameters]
"employees" = [800]
"policy.leaderboard" = ["off", { scope = "org", visibility = "public" }]
"policy.costs_visible" = [false, true]
TOML
"$BIN" sweep "$WORK/sweep.toml" --quiet --no-charts --out "$WORK/sweep"
TOKENMAXX_RUN="$WORK/run" TOKENMAXX_SWEEP="$WORK/sweep" \
    "$VENV/bin/python" notebooks/execute.py notebooks/explore_run.ipynb notebooks/compare_policies.ipynb
