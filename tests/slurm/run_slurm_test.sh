#!/usr/bin/env bash
# The workflow on a real SLURM scheduler, checked against a local run.
#
#   1. installs SLURM and MUNGE from Debian packages when missing (root and apt-get);
#   2. starts a private single-node cluster: munged, slurmctld and slurmd run directly
#      (no systemd), with their own configuration, sockets, ports, state and logs in a
#      temporary folder, so nothing of the machine's own set-up is used or changed;
#   3. generates a small toy data set and runs the workflow twice on it: locally
#      (profiles/default) and through `snakemake --executor slurm` (profiles/slurm).
#      Targets: donor D2 end to end (reads, alignment, QC, joint calling over every
#      shard, read QC findings): single jobs, both kinds of group jobs and local
#      rules, in 6 SLURM jobs; SLURM_TEST_TARGETS=all runs the whole workflow instead
#      (about 60 jobs, each paying two Snakemake start-ups: too slow for every submission);
#   4. checks that the jobs really ran under SLURM, from evidence that does not
#      depend on sacct or squeue: the SLURM job ids Snakemake reports, slurmctld's
#      and slurmd's own logs, and the per-job SLURM output files;
#   5. checks that both runs give the same results: VCF records, alignment records,
#      samtools flagstat and every findings JSON file, byte for byte;
#   6. stops the daemons it started, by their process ids, and removes its folder.
#
# Usage: tests/slurm/run_slurm_test.sh
# Environment: SLURM_TEST_KEEP=1 keeps the temporary folder for inspection;
#   SLURM_TEST_TIMEOUT hard limit in seconds for each workflow run (default 900);
#   SLURM_TEST_TARGETS=all runs the whole workflow (default: donor D2's outputs).
# Exit status: 0 passed, 1 failed, 77 cannot run here (needs root and apt-get).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PATH="$here/.venv/bin:$PATH"
say() { printf 'slurm-test: %s\n' "$*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "cannot run here: starting a SLURM cluster needs root and apt-get"
  exit 77
fi
timeout_s=${SLURM_TEST_TIMEOUT:-900}
if [ "${SLURM_TEST_TARGETS:-}" = all ]; then
  targets=(all)
else
  targets=(results/variants/D2.vcf.gz results/findings/D2_parental/read_qc.json
    results/qc/samtools/D2_parental.flagstat.txt)
fi
t0=$SECONDS

# ------------------------------------------------------------------ packages
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
  ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurmctld slurmd slurm-client munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >/dev/null
fi
id munge >/dev/null 2>&1 || fail "the munge package did not create the munge user"

# ------------------------------------------------------------------ cleanup
work=$(mktemp -d /tmp/ipscqc-slurm.XXXXXX)
chmod 755 "$work" # munged runs as the munge user and must reach its folder
daemon_pids=()    # in start order; stopped in reverse order
stop_daemons() {
  local status=$?
  set +e
  if [ -n "${SLURM_CONF:-}" ] && [ -e "$work/run/slurmctld.started" ]; then
    # cancel whatever is left of this private cluster's jobs before stopping it
    squeue --noheader --format=%i 2>/dev/null | xargs -r scancel 2>/dev/null
  fi
  local index pid
  for ((index = ${#daemon_pids[@]} - 1; index >= 0; index--)); do
    pid=${daemon_pids[index]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "$status" -ne 0 ] && [ -d "$work/log" ]; then
    for file in "$work"/log/*.log; do
      say "---- last lines of $file"
      tail -n 20 "$file" >&2
    done
  fi
  if [ "${SLURM_TEST_KEEP:-0}" = 1 ]; then
    say "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2
  shift 2
  for _ in $(seq $((limit * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "$what did not come up within ${limit}s"
}

# ------------------------------------------------------------------ munge
mkdir -p "$work/munge" "$work/log" "$work/run" "$work/state" "$work/spool"
socket="$work/munge/munge.socket"
mungekey --create --keyfile="$work/munge/munge.key" 2>/dev/null ||
  dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$work/munge/munge.key"
chown -R munge:munge "$work/munge"
setpriv --reuid=munge --regid=munge --clear-groups \
  munged --foreground --socket="$socket" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/munged.seed" \
  --log-file="$work/munge/munged.log" >"$work/log/munged.log" 2>&1 &
daemon_pids+=($!)
munge_works() { munge --socket="$socket" --no-input | unmunge --socket="$socket"; }
wait_for 20 munged munge_works

# ------------------------------------------------------------------ slurm.conf
node=$(hostname -s)
cpus=$(nproc)
memory_mb=$(awk '/^MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
# The rules ask for what a 30x human genome needs (bwa mem 16 GB). The test node
# advertises at least 64 GB (config_overrides: SLURM schedules by the declared
# size and does not drain the node) so those requests are accepted; on toy data
# the tools use a small fraction. CPUs are the real ones; --cores caps the rules.
declared_mb=$((memory_mb > 65536 ? memory_mb : 65536))
read -r ctld_port slurmd_port < <(python3 - <<'PY'
import socket
ports = []
holders = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    holders.append(s)
    ports.append(s.getsockname()[1])
print(*ports)
PY
)
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=ipscqc-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
MinJobAge=300
ReturnToService=2
SlurmdParameters=config_overrides
InactiveLimit=0
KillWait=5
Waittime=0
SlurmdTimeout=60
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$declared_mb State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
# Inside a job, the plugin's job-step executor drops every SLURM_* variable but the
# job's identity before it calls srun, SLURM_CONF included. A real cluster keeps its
# configuration at the default path; this private one gives srun its path back.
mkdir -p "$work/bin"
printf '#!/bin/sh\nSLURM_CONF=%q exec %q "$@"\n' "$SLURM_CONF" "$(command -v srun)" >"$work/bin/srun"
chmod 755 "$work/bin/srun"
export PATH="$work/bin:$PATH"

# ------------------------------------------------------------------ daemons
slurmctld -D -c -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
daemon_pids+=($!)
touch "$work/run/slurmctld.started"
wait_for 30 slurmctld scontrol ping
slurmd -D -f "$SLURM_CONF" -N "$node" >"$work/log/slurmd.out" 2>&1 &
daemon_pids+=($!)
node_idle() { sinfo --noheader --nodes="$node" --format=%T | grep -qx idle; }
wait_for 60 "slurmd (node idle)" node_idle
say "SLURM $(sinfo --version | cut -d' ' -f2) up: node $node, $cpus CPUs, daemons ${daemon_pids[*]} ($((SECONDS - t0))s)"

# ------------------------------------------------------------------ data
PYTHONPATH="$here/scripts" python -m toydata --outdir "$work/toy_data" \
  --genome-scale 0.1 --coverage-scale 0.2 >"$work/log/toydata.log" 2>&1 ||
  fail "toy data generation failed (see $work/log/toydata.log)"
for run in local slurm; do
  mkdir -p "$work/$run"
  ln -s ../toy_data "$work/$run/toy_data"
  cp "$here/config.yaml" "$work/$run/config.yaml"
done

# ------------------------------------------------------------------ local run
say "local run ($((SECONDS - t0))s)"
t_local=$SECONDS
timeout -k 20 "$timeout_s" snakemake --snakefile "$here/Snakefile" --directory "$work/local" \
  --configfile "$work/local/config.yaml" \
  --workflow-profile "$here/profiles/default" --cores "$cpus" "${targets[@]}" \
  >"$work/log/local.log" 2>&1 || fail "local run failed (see $work/log/local.log)"
t_local=$((SECONDS - t_local))

# ------------------------------------------------------------------ SLURM run
# squeue, not sacct, for job status: there is no slurmdbd, and sacct would fail
# forever. MinJobAge=300 keeps finished jobs visible to squeue well beyond the
# first status check (2 s). Accounts are not set: this cluster has none.
say "SLURM run ($((SECONDS - t0))s)"
t_slurm=$SECONDS
# --cores caps each job's (and group job's) threads at the size of this one node.
timeout -k 20 "$timeout_s" snakemake --snakefile "$here/Snakefile" --directory "$work/slurm" \
  --configfile "$work/slurm/config.yaml" \
  --workflow-profile "$here/profiles/slurm" --jobs 20 --cores "$cpus" --local-cores 1 \
  --latency-wait 5 --retries 0 --seconds-between-status-checks 2 \
  --slurm-status-command squeue --slurm-init-seconds-before-status-checks 2 \
  --slurm-keep-successful-logs "${targets[@]}" \
  >"$work/log/slurm_run.log" 2>&1 || fail "SLURM run failed (see $work/log/slurm_run.log)"
t_slurm=$((SECONDS - t_slurm))

# ------------------------------------------------------------------ evidence
# 1. Snakemake's own log: every submitted job with its SLURM job id.
mapfile -t job_ids < <(grep -oE 'submitted with SLURM jobid [0-9]+' "$work/log/slurm_run.log" |
  awk '{print $NF}' | sort -un)
[ "${#job_ids[@]}" -gt 0 ] || fail "Snakemake reported no SLURM job ids"
missing=0
for id in "${job_ids[@]}"; do
  # 2. SLURM's controller allocated it and slurmd launched it ...
  grep -qE "(Allocate|Started) JobId=$id " "$work/log/slurmctld.log" ||
    { say "job $id: no allocation in slurmctld.log"; missing=1; }
  grep -qE "Launching batch job $id( |$)" "$work/log/slurmd.log" ||
    { say "job $id: not launched by slurmd (slurmd.log)"; missing=1; }
  # 3. ... and its output file, named by the job id, holds the rule's execution.
  log=$(find "$work/slurm/.snakemake/slurm_logs" -name "$id.log" -print -quit)
  [ -n "$log" ] && grep -q "Finished job" "$log" ||
    { say "job $id: no finished SLURM output file"; missing=1; }
done
[ "$missing" = 0 ] || fail "some SLURM jobs lack evidence"
# 4. Only the rules declared local ran outside SLURM.
local_jobs=$(grep -oE '^localrule [A-Za-z0-9_]+' "$work/log/slurm_run.log" | sort | uniq -c |
  awk '{printf "%s%s x%s", sep, $3, $1; sep = ", "}')
say "evidence: ${#job_ids[@]} SLURM jobs (ids ${job_ids[0]}..${job_ids[-1]}), each allocated" \
  "by slurmctld, launched by slurmd and with its own job output file; run locally: ${local_jobs:-none}"

# ------------------------------------------------------------------ equality
vcf_records() { bcftools view --no-header "$1"; }
bam_records() { samtools view "$1"; }
compare() { # compare WHAT FUNCTION FILE... (paths relative to the results folders)
  local what=$1 show=$2
  shift 2
  local count=0 rel
  for rel in "$@"; do
    [ -e "$work/local/results/$rel" ] || fail "$rel missing from the local run"
    [ -e "$work/slurm/results/$rel" ] || fail "$rel missing from the SLURM run"
    if ! cmp -s <("$show" "$work/local/results/$rel") <("$show" "$work/slurm/results/$rel"); then
      fail "$what differ between the local and the SLURM run: $rel"
    fi
    count=$((count + 1))
  done
  [ "$count" -gt 0 ] || fail "no $what to compare"
  say "identical $what: $count files"
}
cd "$work/local/results"
mapfile -t vcfs < <(find variants -maxdepth 1 -name '*.vcf.gz' | sort)
mapfile -t bams < <(find alignments -maxdepth 1 -name '*.bam' | sort)
mapfile -t flagstats < <(find qc/samtools -name '*.flagstat.txt' | sort)
# findings and the gate's decisions (certificates hold dates, checksums hold paths)
mapfile -t jsons < <({ find findings -name '*.json'; find gate -maxdepth 1 -name '*.json'; } \
  2>/dev/null | sort)
cd "$here"
compare "VCF records" vcf_records "${vcfs[@]}"
compare "alignment records" bam_records "${bams[@]}"
compare "flagstat reports" "cat" "${flagstats[@]}"
if [ "${#jsons[@]}" -gt 0 ]; then
  compare "findings JSON" "cat" "${jsons[@]}"
else
  say "no findings files in this workflow yet: nothing of that kind to compare"
fi
result_files() { (cd "$1" && find . -type f -not -path './logs/*' -not -path './benchmarks/*' | sort); }
only_one=$(comm -3 <(result_files "$work/local/results") <(result_files "$work/slurm/results"))
[ -z "$only_one" ] || fail "the two runs made different sets of files: $only_one"
say "same set of result files: $(result_files "$work/slurm/results" | wc -l) files"

say "PASSED in $((SECONDS - t0))s (local run ${t_local}s, SLURM run ${t_slurm}s," \
  "${#job_ids[@]} SLURM jobs)"
