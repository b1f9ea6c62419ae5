#!/usr/bin/env bash
# Starts a real single-node Slurm cluster on this machine for test/slurm: munge for authentication, slurmctld and
# slurmd on localhost, one partition holding this host. Idempotent: it installs what is missing, rewrites the
# configuration only when it changed, and leaves running daemons alone. Needs root (CI runs as root).
# Exit status 0 means `sinfo` shows the node idle and jobs can be submitted.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: needs root to install and start Slurm (running as $(id -un))" >&2
  exit 3
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q slurm-wlm munge
fi

host="$(hostname -s)"
memory_mb="$(free -m | awk '/^Mem:/ {print $2}')"

# munge: one key shared by every daemon and client on this host.
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

install -d -m 0755 /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
config="$(cat <<CONF
# Written by RadLab's test/slurm/setup.sh: a one-node cluster for the Slurm executor tests.
ClusterName=radlab-test
SlurmctldHost=${host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# Without accounting (no slurmdbd here) squeue is the only record of finished jobs: keep them for 10 minutes.
MinJobAge=600
KillWait=10
NodeName=${host} NodeAddr=localhost CPUs=2 RealMemory=${memory_mb} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
)"
changed=0
if [ ! -f /etc/slurm/slurm.conf ] || [ "$(cat /etc/slurm/slurm.conf)" != "${config}" ]; then
  printf '%s\n' "${config}" >/etc/slurm/slurm.conf
  changed=1
fi

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if [ "${changed}" = 1 ]; then
  # A changed configuration needs fresh daemons; stop only the ones this script started (by their pid files).
  for pidfile in /run/slurmd.pid /run/slurmctld.pid; do
    if running "${pidfile}"; then kill "$(cat "${pidfile}")"; for _ in $(seq 50); do running "${pidfile}" || break; sleep 0.1; done; fi
  done
fi
running /run/slurmctld.pid || /usr/sbin/slurmctld
running /run/slurmd.pid || /usr/sbin/slurmd

for _ in $(seq 60); do
  state="$(sinfo -h -n "${host}" -o '%t' 2>/dev/null || true)"
  case "${state}" in
    idle | mix | alloc) echo "Slurm is up: node ${host} ${state}, CPUs=2, RealMemory=${memory_mb} MB"; exit 0 ;;
    down* | drain* | drng*) scontrol update nodename="${host}" state=resume 2>/dev/null || true ;;
  esac
  sleep 1
done
echo "setup.sh: the node did not become idle within 60 s (sinfo: ${state:-no answer}); see /var/log/slurm/slurmctld.log and slurmd.log" >&2
exit 1
