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
# tokenmaxx uses all cores, as a user would run it. Each run waits (up to WAIT_IDLE seconds,
# default 120) for the machine to be 90% idle, and reports the CPU time other processes took
# while it ran ("others"), so a disturbed run can be told apart.
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

# The machine's busy CPU seconds so far (all cores), from /proc/stat.
busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }

# Wait (up to WAIT_IDLE seconds, default 120) until the machine is at least 90% idle over 2 s.
wait_idle() {
  local deadline=$((SECONDS + ${WAIT_IDLE:-120})) b0 b1
  while ((SECONDS < deadline)); do
    b0=$(busy); sleep 2; b1=$(busy)
    awk -v a="$b0" -v b="$b1" -v n="$(nproc)" 'BEGIN { exit !((b - a) / (2 * n) < 0.1) }' && return 0
  done
  echo "  (machine still busy after ${WAIT_IDLE:-120} s: measuring anyway)" >&2
}

# One measured run: writes "wall cpu rss_mb others" to stdout, from /usr/bin/time -v's report;
# `others` is the CPU time other processes used during the run (busy time less the run's own).
measure() {
  local report="$WORK/time.txt" b0 b1
  wait_idle
  b0=$(busy)
  /usr/bin/time -v -o "$report" "$@" >/dev/null
  b1=$(busy)
  awk -F': ' -v busy="$(awk -v a="$b0" -v b="$b1" 'BEGIN { print b - a }')" '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
    /User time \(seconds\)/ { user = $2 }
    /System time \(seconds\)/ { sys = $2 }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { o = busy - user - sys; if (o < 0) o = 0; printf "%.3f %.3f %.1f %.2f\n", wall, user + sys, rss, o }' "$report"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) cores)"
: >"$WORK/numpy" && : >"$WORK/tokenmaxx"
for i in $(seq 1 "$RUNS"); do
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    measure "$PYTHON" "$HERE/model.py" "$SCENARIO" --employees "$EMPLOYEES" >>"$WORK/numpy"
  rm -rf "$WORK/out"
  measure "$BIN" run "$SCENARIO" --employees "$EMPLOYEES" --no-charts --quiet --out "$WORK/out" >>"$WORK/tokenmaxx"
  echo "run $i: numpy $(tail -1 "$WORK/numpy")   tokenmaxx $(tail -1 "$WORK/tokenmaxx")   (wall s, cpu s, rss MB, others' cpu s)"
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

col() { awk -v c="$2" '{ print $c }' "$WORK/$1" | median; }
echo
echo "$SCENARIO x $EMPLOYEES employees, median of $RUNS alternating runs"
printf '| %-10s | %8s | %8s | %8s | %14s |\n' "" "wall s" "CPU s" "RSS MB" "others' CPU s"
printf '|%s|%s|%s|%s|%s|\n' "------------" "----------" "----------" "----------" "----------------"
for who in numpy tokenmaxx; do
  printf '| %-10s | %8.2f | %8.2f | %8.0f | %14.2f |\n' "$who" "$(col "$who" 1)" "$(col "$who" 2)" "$(col "$who" 3)" "$(col "$who" 4)"
done
awk -v a="$(col numpy 2)" -v b="$(col tokenmaxx 2)" -v c="$(col numpy 1)" -v d="$(col tokenmaxx 1)" \
  'BEGIN { printf "\nCPU ratio numpy / tokenmaxx: %.2fx   (wall ratio %.2fx)\n", a / b, c / d }'
