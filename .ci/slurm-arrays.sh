#!/usr/bin/env bash
# Called by .ci/slurm-test once the single-node Slurm is up:
#   .ci/slurm-arrays.sh ROOT BIN WORK TIMEOUT
# Submits examples/slurm/sweep.sbatch as a job array for a sweep (4 tasks) and for a sensitivity
# analysis (3 tasks), requeues sweep task 1 mid-run, waits for both arrays (at most TIMEOUT
# seconds), and compares the merged outputs with unsharded runs byte for byte.
set -euo pipefail
ROOT=$1 BIN=$2 WORK=$3 TIMEOUT=$4
SCRIPT="${SBATCH_SCRIPT:-$ROOT/examples/slurm/sweep.sbatch}"
JOB="$WORK/job"
cd "$JOB"
fail() { echo "slurm-test: $*" >&2; exit 1; }

# A sweep of 48 runs (20,000 employees x 12 weeks: long enough to kill a task mid-run) and a
# Morris analysis of 3 x 3 x 2 = 18 runs (1,000 employees).
base() {
    printf 'extends = "target-only"\nemployees = %s\nweeks = 12\n' "$1"
    printf '[[timeline]]\nweek = 4\nleaderboard = { scope = "org", visibility = "public" }\n'
}
base 20000 >base.toml
base 1000 >small.toml
cat >sweep.toml <<'EOF'
name = "ci-slurm-sweep"
base = "base.toml"
replications = 3
seed = 11
[parameters]
"behaviour.status_weight" = [0.5, 1.5, 3.0, 4.0]
"behaviour.bot_leverage" = { low = 2.0, high = 10.0, steps = 4 }
EOF
cat >morris.toml <<'EOF'
name = "ci-slurm-morris"
base = "small.toml"
method = "morris"
trajectories = 3
levels = 4
replications = 2
seed = 3
bootstrap = 50
figures = ["padding_share", "roi"]
[parameters]
"behaviour.status_weight" = { low = 0.5, high = 4.0 }
"behaviour.norm_weight" = { low = 0.0, high = 0.8 }
EOF

submit() { # COMMAND SPEC ARRAY
    sbatch --parsable --chdir="$JOB" --array="$3" --cpus-per-task=1 \
        --export="ALL,TOKENMAXX=$BIN,TOKENMAXX_COMMAND=$1" "$SCRIPT" "$2"
}
SWEEP_JOB="$(submit sweep sweep.toml 0-3)"
SENS_JOB="$(submit sensitivity morris.toml 0-2)"
echo "submitted sweep array $SWEEP_JOB and sensitivity array $SENS_JOB"

# Kill sweep task 1 mid-run (once its journal holds a run) and requeue it: the retry resumes.
JOURNAL=output/ci-slurm-sweep/shard-1-of-4/journal.jsonl
deadline=$((SECONDS + TIMEOUT))
until [ -f "$JOURNAL" ] && [ "$(wc -l <"$JOURNAL")" -ge 2 ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "sweep task 1 journaled no run within ${TIMEOUT}s"
    sleep 0.05
done
scontrol requeue "${SWEEP_JOB}_1"
KILLED_AT=$(($(wc -l <"$JOURNAL") - 1))
echo "requeued sweep task 1 with $KILLED_AT of 12 runs journaled"

echo "unsharded references (while the arrays run)"
"$BIN" sweep sweep.toml --out ref-sweep --quiet --threads 1
"$BIN" sensitivity morris.toml --out ref-morris --quiet --threads 1

while [ -n "$(squeue -h -j "$SWEEP_JOB,$SENS_JOB" 2>/dev/null)" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { squeue; fail "the arrays did not finish within ${TIMEOUT}s"; }
    sleep 0.5
done

echo "== checks"
# Every task of both arrays completed (a task that exits non-zero is FAILED).
states="$(scontrol -o show job "$SWEEP_JOB"; scontrol -o show job "$SENS_JOB")"
echo "$states" | grep -o 'JobId=[0-9]* ArrayJobId=[0-9]* ArrayTaskId=[0-9]*\|JobState=[A-Z_]*' | paste - - || true
bad="$(echo "$states" | grep -o 'JobState=[A-Z_]*' | grep -vc 'JobState=COMPLETED' || true)"
[ "$bad" -eq 0 ] || fail "$bad array task(s) did not complete"
[ "$(echo "$states" | grep -c 'JobState=COMPLETED')" -eq 7 ] || fail "expected 7 completed tasks"

# The retry of task 1 resumed: it skipped the runs journaled before the kill, not all of them.
SKIPPED="$(sed -n 's/.*(\([0-9]*\) skipped as already done).*/\1/p' "slurm-${SWEEP_JOB}_1.out" | tail -1)"
echo "sweep task 1: killed with $KILLED_AT runs journaled; the retry skipped ${SKIPPED:-?}"
[ -n "$SKIPPED" ] || fail "the retry of task 1 did not say what it skipped"
[ "$SKIPPED" -ge 1 ] && [ "$SKIPPED" -ge "$KILLED_AT" ] || fail "the retry of task 1 did not resume"
[ "$SKIPPED" -lt 12 ] || fail "task 1 finished before the kill landed (make its runs longer)"
[ "$(wc -l <"$JOURNAL")" -eq 13 ] || fail "task 1's journal has a run twice or misses one"

# The merged outputs are the unsharded ones, byte for byte (report.html names its command line).
same() { # REFERENCE MERGED
    local n=0 f
    for f in "$1"/*; do
        case "$(basename "$f")" in report.html | journal.jsonl) continue ;; esac
        cmp "$f" "$2/$(basename "$f")" || fail "$2/$(basename "$f") differs from the unsharded run"
        n=$((n + 1))
    done
    echo "$2: $n files byte-identical to the unsharded run"
}
same ref-sweep output/ci-slurm-sweep
same ref-morris output/ci-slurm-morris
[ -f output/ci-slurm-sweep/report.html ] && [ -f output/ci-slurm-morris/report.html ] \
    || fail "a merged folder has no report.html"
