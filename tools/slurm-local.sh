#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the integration test of `voxkd reproduce --executor slurm`.
#
#   tools/slurm-local.sh setup   install slurm-wlm + munge (Debian, root, apt-get) when missing, write the
#                                cluster's configuration, start munged, slurmctld and slurmd, wait until the
#                                node is idle; quick when all that is already so
#   tools/slurm-local.sh stop    stop the daemons this script started
#   tools/slurm-local.sh stop-started
#                                stop them only if the last setup started them (make test: leave the machine as found)
#   tools/slurm-local.sh status  print whether the cluster answers
#
# The cluster lives in $VOXKD_SLURM_DIR (default /var/lib/voxkd-slurm): its slurm.conf, state, spool, logs and pid
# files. It never touches /etc/slurm and listens on its own ports (6917/6918), so a real Slurm on the same machine
# is left alone; clients find it through SLURM_CONF=$VOXKD_SLURM_DIR/slurm.conf (the test sets it).
set -euo pipefail

BASE="${VOXKD_SLURM_DIR:-/var/lib/voxkd-slurm}"
CONF="$BASE/slurm.conf"
TIMEOUT="${VOXKD_SLURM_TIMEOUT:-90}"
export SLURM_CONF="$CONF"

say() { echo "slurm-local: $*"; }
fail() {
  echo "slurm-local: FAILED: $*" >&2
  for f in "$BASE/log/slurmctld.log" "$BASE/log/slurmd.log" /var/log/munge/munged.log; do
    [ -s "$f" ] && { echo "---- last lines of $f" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null; then
    return
  fi
  [ "$(id -u)" = 0 ] || fail "slurm-wlm and munge are not installed and this is not root (installing needs apt-get as root)"
  command -v apt-get >/dev/null || fail "slurm-wlm and munge are not installed and there is no apt-get (not Debian?)"
  say "installing slurm-wlm and munge (apt-get) ..."
  local t0=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1; then
    apt-get update -qq || true
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null || fail "apt-get install slurm-wlm munge failed"
  fi
  say "installed slurm-wlm $(dpkg-query -W -f '${Version}' slurm-wlm 2>/dev/null) in $((SECONDS - t0)) s"
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
  [ -s /etc/munge/munge.key ] || {
    say "creating /etc/munge/munge.key"
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key; else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; fi
  }
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged --log-file=/var/log/munge/munged.log --pid-file=/run/munge/munged.pid || fail "munged did not start"
  touch "$BASE/run/munged.started"
  for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return; sleep 0.2; done
  fail "munged started but munge -n | unmunge does not work"
}

write_conf() {
  local host node
  host="$(hostname -s)"
  # The node's real hardware (CPUs, sockets, cores, threads, memory) as slurmd itself sees it.
  node="$(slurmd -C 2>/dev/null | head -n 1)"
  case "$node" in NodeName=*) ;; *) fail "slurmd -C did not describe this node (got: $node)" ;; esac
  cat >"$CONF.new" <<EOF
# Written by voxkd tools/slurm-local.sh: a one-node test cluster on $host. Do not edit (rewritten by setup).
ClusterName=voxkd-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=6917
SlurmdPort=6918
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# Dependent jobs start soon after what they wait for (a test cluster: no reason to batch scheduling).
SchedulerParameters=sched_min_interval=100000
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  sed -i 's/ UpTime=[^ ]*//' "$CONF.new"
  if [ -f "$CONF" ] && cmp -s "$CONF" "$CONF.new"; then rm "$CONF.new"; return 1; fi
  mv "$CONF.new" "$CONF"
  return 0
}

stop_daemons() {
  for d in slurmd slurmctld; do
    if alive "$BASE/run/$d.pid"; then kill "$(cat "$BASE/run/$d.pid")" 2>/dev/null || true; fi
  done
  for _ in $(seq 1 50); do
    alive "$BASE/run/slurmd.pid" || alive "$BASE/run/slurmctld.pid" || break
    sleep 0.2
  done
}

wait_idle() {
  local host state="" t0=$SECONDS
  host="$(hostname -s)"
  while [ $((SECONDS - t0)) -lt "$TIMEOUT" ]; do
    state="$(sinfo -h -n "$host" -o %t 2>&1 || true)"
    case "$state" in idle | mix | alloc) say "node $host is $state (cluster ready, SLURM_CONF=$CONF)"; return 0 ;; esac
    case "$state" in drain* | down*) scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;; esac
    alive "$BASE/run/slurmctld.pid" || fail "slurmctld is not running"
    alive "$BASE/run/slurmd.pid" || fail "slurmd is not running"
    sleep 1
  done
  fail "node $host not idle after ${TIMEOUT} s (sinfo: $state)"
}

setup() {
  install_packages
  [ "$(id -u)" = 0 ] || fail "starting the Slurm daemons needs root"
  mkdir -p "$BASE/state" "$BASE/spool" "$BASE/log" "$BASE/run"
  start_munge
  local changed=0
  write_conf && changed=1
  if [ "$changed" = 1 ]; then stop_daemons; fi
  rm -f "$BASE/run/started-by-setup"
  if ! alive "$BASE/run/slurmctld.pid"; then
    # -c: a test cluster starts with an empty queue (no jobs of an earlier session)
    slurmctld -c || fail "slurmctld did not start"
    touch "$BASE/run/started-by-setup"
  fi
  if ! alive "$BASE/run/slurmd.pid"; then
    slurmd || fail "slurmd did not start"
    touch "$BASE/run/started-by-setup"
  fi
  for _ in $(seq 1 50); do alive "$BASE/run/slurmctld.pid" && alive "$BASE/run/slurmd.pid" && break; sleep 0.2; done
  wait_idle
}

stop_all() {
  stop_daemons
  if [ -f "$BASE/run/munged.started" ]; then
    alive /run/munge/munged.pid && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    rm -f "$BASE/run/munged.started"
  fi
  rm -f "$BASE/run/started-by-setup"
  say "stopped"
}

case "${1:-}" in
  setup) t0=$SECONDS; setup; say "setup took $((SECONDS - t0)) s" ;;
  stop) stop_all ;;
  stop-started) if [ -f "$BASE/run/started-by-setup" ]; then stop_all; fi ;;
  status)
    [ -f "$CONF" ] || { say "not set up ($CONF missing)"; exit 1; }
    sinfo -o '%P %a %D %t %N' ;;
  *) echo "usage: $0 setup|stop|stop-started|status" >&2; exit 2 ;;
esac
