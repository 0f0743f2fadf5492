#!/usr/bin/env bash
# Side by side: the numpy yardstick (model.py) against a tokenmaxx binary on the same scenario and
# size, alternating runs, each under /usr/bin/time -v; prints the median wall time, CPU
# (user + sys) and peak memory (max RSS) of each, and the CPU ratio numpy / tokenmaxx.
#
#   benches/numpy/side_by_side.sh BIN [EMPLOYEES] [RUNS]
#
# BIN is a tokenmaxx binary (a release build for figures worth quoting); EMPLOYEES defaults to
# 100000, RUNS (of each, alternating numpy then tokenmaxx) to 3. PYTHON picks the interpreter
# (default /work/main/.venv/bin/python if it exists, else python3); SCENARIO the scenario
# (default amazon-2026). numpy runs with OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1 (its
# element-wise work is single-threaded anyway; this keeps BLAS from spawning threads);
# tokenmaxx uses all cores, as a user would run it. Measure on an idle machine: the load average
# before and after is printed so a busy run can be told apart.
set -euo pipefail

BIN=${1:?usage: side_by_side.sh BIN [EMPLOYEES] [RUNS]}
EMPLOYEES=${2:-100000}
RUNS=${3:-3}
SCENARIO=${SCENARIO:-amazon-2026}
HERE=$(cd "$(dirname "$0")" && pwd)
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x /work/main/.venv/bin/python ]]; then PYTHON=/work/main/.venv/bin/python; else PYTHON=python3; fi
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# One measured run: writes "wall cpu rss_mb" to stdout, from /usr/bin/time -v's report.
measure() {
  local report="$WORK/time.txt"
  /usr/bin/time -v -o "$report" "$@" >/dev/null
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
    /User time \(seconds\)/ { user = $2 }
    /System time \(seconds\)/ { sys = $2 }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "%.3f %.3f %.1f\n", wall, user + sys, rss }' "$report"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
: >"$WORK/numpy" && : >"$WORK/tokenmaxx"
for i in $(seq 1 "$RUNS"); do
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    measure "$PYTHON" "$HERE/model.py" "$SCENARIO" --employees "$EMPLOYEES" >>"$WORK/numpy"
  rm -rf "$WORK/out"
  measure "$BIN" run "$SCENARIO" --employees "$EMPLOYEES" --no-charts --quiet --out "$WORK/out" >>"$WORK/tokenmaxx"
  echo "run $i: numpy $(tail -1 "$WORK/numpy")   tokenmaxx $(tail -1 "$WORK/tokenmaxx")   (wall s, cpu s, rss MB)"
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

col() { awk -v c="$2" '{ print $c }' "$WORK/$1" | median; }
echo
echo "$SCENARIO x $EMPLOYEES employees, median of $RUNS alternating runs"
printf '| %-10s | %8s | %8s | %8s |\n' "" "wall s" "CPU s" "RSS MB"
printf '|%s|%s|%s|%s|\n' "------------" "----------" "----------" "----------"
for who in numpy tokenmaxx; do
  printf '| %-10s | %8.2f | %8.2f | %8.0f |\n' "$who" "$(col "$who" 1)" "$(col "$who" 2)" "$(col "$who" 3)"
done
awk -v a="$(col numpy 2)" -v b="$(col tokenmaxx 2)" -v c="$(col numpy 1)" -v d="$(col tokenmaxx 1)" \
  'BEGIN { printf "\nCPU ratio numpy / tokenmaxx: %.2fx   (wall ratio %.2fx)\n", a / b, c / d }'
