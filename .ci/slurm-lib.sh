# Sourced by .ci/slurm-test: start a single-node Slurm under a folder, by hand (no systemd).
# start_slurm DIR appends the pid of every daemon it starts to the caller's PIDS array (the
# caller stops them) and exports SLURM_CONF so sbatch, squeue and scontrol find the cluster.

# Wait up to $1 tenths of a second for the command in $2... to succeed.
wait_for() {
    local tenths=$1
    shift
    for _ in $(seq "$tenths"); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    "$@"
}

# munged with its own key, socket, pid, seed and log files under $1.
start_munge() {
    local dir=$1
    $SUDO dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    $SUDO chmod 400 "$dir/munge/munge.key"
    $SUDO munged --foreground --force --key-file="$dir/munge/munge.key" \
        --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
        --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log" \
        >>"$dir/log/munged.out" 2>&1 &
    PIDS+=($!)
    wait_for 100 test -S "$dir/munge/munge.socket"
}

# A minimal slurm.conf for one node (this host, all its CPUs), state and logs under $1.
write_slurm_conf() {
    local dir=$1 node cpus
    node="$(hostname -s)"
    cpus="$(nproc)"
    cat >"$dir/slurm.conf" <<EOF
ClusterName=tokenmaxx-ci
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
ReturnToService=2
JobRequeue=1
KillWait=2
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=30 State=UP
EOF
}

start_slurm() {
    local dir=$1
    $SUDO mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/job"
    $SUDO chmod 700 "$dir/munge"
    start_munge "$dir"
    write_slurm_conf "$dir"
    export SLURM_CONF="$dir/slurm.conf"
    $SUDO slurmctld -D -i -f "$SLURM_CONF" >>"$dir/log/slurmctld.out" 2>&1 &
    PIDS+=($!)
    wait_for 150 scontrol ping
    $SUDO slurmd -D -f "$SLURM_CONF" -N "$(hostname -s)" >>"$dir/log/slurmd.out" 2>&1 &
    PIDS+=($!)
    # The node is up once it is idle.
    wait_for 300 bash -c '[ "$(sinfo -h -o %T | head -1)" = idle ]'
    sinfo
}
