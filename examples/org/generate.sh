#!/bin/sh
# Regenerate the synthetic usage export of examples/org/ from true.toml (seed 7): writes
# export/usage.csv (the generic table), export/usage.claude_code.jsonl (Claude Code Analytics
# API pages) and export/roster.csv. Run from anywhere; needs cargo.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
cargo run --quiet -- synth-export "$here/true.toml" --out "$here/export"
ls -l "$here/export"
