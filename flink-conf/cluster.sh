#!/usr/bin/env bash
# A standalone Flink session cluster on this machine, built from Maven Central jars alone:
# one JobManager and N TaskManagers bound to 127.0.0.1, job submission over REST or the CLI,
# stop-with-savepoint and resume. Run `flink-conf/cluster.sh help` for the commands.
#
# Everything the cluster writes lives in one directory (RAWSTREAM_CLUSTER_DIR, default
# <repo>/target/cluster): lib/, conf/, pid/, log/, tmp/, checkpoints/, savepoints/.
# Only processes recorded in pid/ are ever signalled, and only after checking that the PID
# still runs the Flink class it was started with.
set -euo pipefail
shopt -s inherit_errexit   # a failing $(...) fails the command that uses it

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER_DIR="${RAWSTREAM_CLUSTER_DIR:-$ROOT/target/cluster}"
LIB="$CLUSTER_DIR/lib"
CONF="$CLUSTER_DIR/conf"
PIDS="$CLUSTER_DIR/pid"
LOGS="$CLUSTER_DIR/log"
PY="${RAWSTREAM_PYTHON:-/usr/bin/python3}"
[ -x "$PY" ] || PY=python3
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
TIMEOUT="${RAWSTREAM_TIMEOUT:-120}"        # seconds any single wait may take

JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner
CLI_CLASS=org.apache.flink.client.cli.CliFrontend

# What Flink's own launch scripts add on Java 17 (env.java.default-opts.all).
JAVA_OPENS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

usage() {
  cat <<EOF
Usage: flink-conf/cluster.sh <command> [arguments]

  lib                          assemble lib/ from Maven Central (flink-conf/cluster/pom.xml)
  start [-D key=value ...]     write conf/, start 1 JobManager + \$RAWSTREAM_TASKMANAGERS (2)
                               TaskManagers, wait until REST is up and all have registered
  stop                         stop every process this cluster started (TERM, then KILL)
  status                       processes, dashboard address, slots, and each job: id, state, name
  start-tm <n>                 start TaskManager n (resource id tm-<n>), e.g. to replace one
  kill-tm <n> [signal]         signal TaskManager n (default KILL), as a crash would
  submit <jar> [args ...]      upload the jar over REST and run it; prints the job id
  submit-cli <jar> [args ...]  run the jar with Flink's CLI (detached); prints the job id
  resume <savepoint> <jar> [args ...]
                               REST submission restoring from a savepoint; prints the job id
  stop-savepoint <job id>      stop the job with a savepoint; prints the savepoint path
  cancel <job id>              cancel the job
  wait-running <job id>        wait until the job and all its tasks are RUNNING
  rest <path>                  GET a REST path, e.g. /jobs/overview
  url                          print the dashboard's URL

Environment (defaults in brackets):
  RAWSTREAM_CLUSTER_DIR  cluster directory [<repo>/target/cluster]
  RAWSTREAM_REST_PORT    REST/dashboard port, "auto" = a free one [8081]
  RAWSTREAM_RPC_PORT     JobManager RPC port, "auto" = a free one [6123]
  RAWSTREAM_TASKMANAGERS TaskManagers to start [2]
  RAWSTREAM_PARALLELISM  parallelism of submitted jobs [cluster default]
  RAWSTREAM_TIMEOUT      seconds any single wait may take [120]
  RAWSTREAM_MVN_OPTS     extra Maven options for 'lib', e.g. -o [none]
  Several hosts on one machine (network namespaces, see flink-conf/netns-hosts.sh; root):
  RAWSTREAM_JM_NETNS     namespace to run the JobManager in [none]
  RAWSTREAM_JM_ADDRESS   its address: RPC, REST and dashboard bind there [127.0.0.1]
  RAWSTREAM_TM_NETNS     namespaces of TaskManagers 1..N, space-separated [none]
  RAWSTREAM_TM_ADDRESSES their addresses (taskmanager.host and bind-host), space-separated [127.0.0.1]
Ports are used as given at 'start'; later commands read them from conf/config.yaml.
EOF
}

log() { echo "cluster: $*" >&2; }

JM_NETNS="${RAWSTREAM_JM_NETNS:-}"
JM_ADDRESS="${RAWSTREAM_JM_ADDRESS:-127.0.0.1}"
read -r -a TM_NETNS <<< "${RAWSTREAM_TM_NETNS:-}"
read -r -a TM_ADDRESSES <<< "${RAWSTREAM_TM_ADDRESSES:-}"

# Runs a command in network namespace $1 (none: here).
in_netns() {
  local ns="$1"; shift
  if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# REST calls reach the JobManager where it runs.
jm_curl() { in_netns "$JM_NETNS" curl "$@"; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------------------- configuration

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Merge YAML files (nested or flat keys) and key=value overrides into one flat config.yaml,
# later sources winning. Values are written as JSON, which is valid YAML.
write_config() {
  local out="$1"; shift
  "$PY" - "$out" "$@" <<'PYEOF'
import json, sys, yaml

def flatten(prefix, node, into):
    if isinstance(node, dict):
        for k, v in node.items():
            flatten(f"{prefix}.{k}" if prefix else str(k), v, into)
    else:
        into[prefix] = node

out, sources = sys.argv[1], sys.argv[2:]
merged = {}
for src in sources:
    if src.startswith("file:"):
        try:
            with open(src[5:]) as f:
                flatten("", yaml.safe_load(f) or {}, merged)
        except FileNotFoundError:
            pass
    else:
        key, _, value = src.partition("=")
        merged.pop(key.strip(), None)
        merged[key.strip()] = yaml.safe_load(value) if value.strip() else ""
with open(out, "w") as f:
    f.write("# Written by flink-conf/cluster.sh from flink-conf/config.yaml,\n"
            "# flink-conf/cluster/config.yaml and its run-time settings. Do not edit.\n")
    for k, v in merged.items():
        f.write(f"{k}: {json.dumps(v)}\n")
PYEOF
}

conf_get() {  # conf_get <key>: a value from the written flat config
  [ -f "$CONF/config.yaml" ] || die "no $CONF/config.yaml: run 'start' first"
  "$PY" -c 'import sys, yaml
c = yaml.safe_load(open(sys.argv[1])) or {}
v = c.get(sys.argv[2], "")
print(v)' "$CONF/config.yaml" "$1"
}

rest_base() {
  local port
  port="$(conf_get rest.port)"   # exits (set -e) when there is no config yet
  echo "http://$JM_ADDRESS:$port"
}

# ---------------------------------------------------------------------------- lib/

cmd_lib() {
  local stamp="$LIB/.assembled"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$ROOT/flink-conf/cluster/pom.xml" ] \
      && [ "$stamp" -nt "$ROOT/pom.xml" ]; then
    return 0
  fi
  log "assembling $LIB from Maven Central"
  rm -rf "$LIB"
  mkdir -p "$LIB"
  # shellcheck disable=SC2086
  mvn -B -q -Dstyle.color=never ${RAWSTREAM_MVN_OPTS:-} -f "$ROOT/flink-conf/cluster/pom.xml" \
      dependency:copy-dependencies "-Drawstream.cluster.lib=$LIB" >&2
  ls "$LIB"/flink-runtime-*.jar >/dev/null 2>&1 || die "lib/ is incomplete: no flink-runtime jar"
  touch "$stamp"
}

# ---------------------------------------------------------------------------- processes

pid_file() { echo "$PIDS/$1.pid"; }

# The PID recorded for <name>, if that process is alive and still runs <class>.
live_pid() {
  local name="$1" class="$2" f pid
  f="$(pid_file "$name")"
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$class" || return 1
  echo "$pid"
}

class_of() { case "$1" in jobmanager) echo "$JM_CLASS" ;; taskmanager-*) echo "$TM_CLASS" ;; esac; }

# BashJavaUtils turns the memory settings into JVM flags (line 1) and -D properties (line 2).
resource_params() {
  local which="$1"; shift
  local out
  out="$("$JAVA" "-Dlog.file=$LOGS/bash-java-utils.log" "-Dlog4j.configurationFile=$CONF/log4j.properties" \
      -cp "$LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$which" --configDir "$CONF" "$@")" \
      || die "BashJavaUtils $which failed: $out"
  echo "$out" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

# launch <name> <netns or ""> <class> <jvm flags> <dynamic properties> [more arguments]
launch() {
  local name="$1" ns="$2" class="$3" jvm="$4" dyn="$5"; shift 5
  if live_pid "$name" "$class" >/dev/null; then die "$name is already running"; fi
  local exec_in=()
  [ -n "$ns" ] && exec_in=(ip netns exec "$ns")   # execs: the recorded PID is the JVM's
  # shellcheck disable=SC2086  # the flag strings are word lists by construction
  setsid "${exec_in[@]}" "$JAVA" $jvm "${JAVA_OPENS[@]}" \
      "-Dlog.file=$LOGS/$name.log" "-Dlog4j.configurationFile=$CONF/log4j.properties" \
      -cp "$LIB/*" "$class" --configDir "$CONF" "$@" $dyn \
      < /dev/null > "$LOGS/$name.out" 2>&1 &
  echo $! > "$(pid_file "$name")"
  log "started $name (pid $!${ns:+, network namespace $ns}), log $LOGS/$name.log"
}

start_tm() {
  local n="$1" params jvm dyn ns="${TM_NETNS[$(($1 - 1))]:-}" address="${TM_ADDRESSES[$(($1 - 1))]:-}" host=()
  params="$(resource_params GET_TM_RESOURCE_PARAMS)"
  jvm="$(echo "$params" | sed -n 1p)"
  dyn="$(echo "$params" | sed -n 2p)"
  # Its own address: what the job's placement sees as the TaskManager's host.
  [ -n "$address" ] && host=(-D "taskmanager.host=$address" -D "taskmanager.bind-host=$address")
  launch "taskmanager-$n" "$ns" "$TM_CLASS" "$jvm" "$dyn" -D "taskmanager.resource-id=tm-$n" "${host[@]}"
}

# Stop <name>: TERM, wait with a deadline, then KILL. Only a PID that still runs its class.
stop_one() {
  local name="$1" pid deadline
  pid="$(live_pid "$name" "$(class_of "$name")")" || { rm -f "$(pid_file "$name")"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored TERM for 30 s: KILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$(pid_file "$name")"
  log "stopped $name (pid $pid)"
}

fail_with_log() {
  local name="$1"; shift
  log "$*"
  for f in "$LOGS/$name.out" "$LOGS/$name.log"; do
    [ -f "$f" ] && { log "--- last lines of $f"; tail -n 30 "$f" >&2; }
  done
  exit 1
}

json() {  # json <python expression over j> : evaluate against JSON on stdin
  "$PY" -c 'import json, sys; j = json.load(sys.stdin); r = eval(sys.argv[1]); print("" if r is None else r)' "$1"
}

wait_cluster() {
  local want="$1" deadline=$((SECONDS + TIMEOUT)) base tms
  base="$(rest_base)"
  while :; do
    live_pid jobmanager "$JM_CLASS" >/dev/null || fail_with_log jobmanager "the JobManager exited"
    tms="$(jm_curl -sf "$base/overview" 2>/dev/null | json 'j["taskmanagers"]' 2>/dev/null || true)"
    [ "$tms" = "$want" ] && break
    [ $SECONDS -lt $deadline ] || fail_with_log jobmanager \
        "after ${TIMEOUT}s: REST at $base has ${tms:-no answer} of $want TaskManagers"
    sleep 0.5
  done
  log "up: dashboard $base, $want TaskManagers"
}

cmd_start() {
  local dyn=() tms="${RAWSTREAM_TASKMANAGERS:-2}" rest rpc params jvm jmdyn i
  while [ $# -gt 0 ]; do
    case "$1" in
      -D) dyn+=("$2"); shift 2 ;;
      -D*) dyn+=("${1#-D}"); shift ;;
      *) die "start: unknown argument $1" ;;
    esac
  done
  if live_pid jobmanager "$JM_CLASS" >/dev/null; then die "already running: $(rest_base)"; fi
  cmd_lib
  rest="${RAWSTREAM_REST_PORT:-8081}"; [ "$rest" = auto ] && rest="$(free_port)"
  rpc="${RAWSTREAM_RPC_PORT:-6123}"; [ "$rpc" = auto ] && rpc="$(free_port)"
  mkdir -p "$CONF" "$PIDS" "$LOGS" "$CLUSTER_DIR/tmp" "$CLUSTER_DIR/web"
  rm -f "$CONF"/*
  # Logging: flink-conf/log4j.properties (a file per process, named by -Dlog.file), unless the
  # cluster overlay has its own.
  cp "$ROOT"/flink-conf/log4j*.properties "$CONF"/
  cp "$ROOT"/flink-conf/cluster/log4j*.properties "$CONF"/ 2>/dev/null || true
  write_config "$CONF/config.yaml" \
      "file:$ROOT/flink-conf/config.yaml" "file:$ROOT/flink-conf/cluster/config.yaml" \
      "rest.port=$rest" "jobmanager.rpc.port=$rpc" \
      "io.tmp.dirs=$CLUSTER_DIR/tmp" "web.tmpdir=$CLUSTER_DIR/web" \
      "execution.checkpointing.dir=file://$CLUSTER_DIR/checkpoints" \
      "execution.checkpointing.savepoint-dir=file://$CLUSTER_DIR/savepoints" \
      "jobmanager.rpc.address=$JM_ADDRESS" "jobmanager.bind-host=$JM_ADDRESS" \
      "rest.address=$JM_ADDRESS" "rest.bind-address=$JM_ADDRESS" \
      "${dyn[@]}"
  params="$(resource_params GET_JM_RESOURCE_PARAMS)"
  jvm="$(echo "$params" | sed -n 1p)"
  jmdyn="$(echo "$params" | sed -n 2p)"
  launch jobmanager "$JM_NETNS" "$JM_CLASS" "$jvm" "$jmdyn" --executionMode cluster
  for i in $(seq 1 "$tms"); do start_tm "$i"; done
  wait_cluster "$tms"
}

cmd_stop() {
  local f name
  [ -d "$PIDS" ] || return 0
  # TaskManagers first, so the JobManager sees them leave rather than time out.
  for f in "$PIDS"/taskmanager-*.pid "$PIDS"/jobmanager.pid; do
    [ -f "$f" ] || continue
    name="$(basename "$f" .pid)"
    stop_one "$name"
  done
}

cmd_status() {
  local f name pid any=0 base overview
  for f in "$PIDS"/*.pid; do
    [ -f "$f" ] || continue
    any=1
    name="$(basename "$f" .pid)"
    if pid="$(live_pid "$name" "$(class_of "$name")")"; then echo "$name pid $pid running"
    else echo "$name not running (stale pid file)"; fi
  done
  [ "$any" = 1 ] || echo "not running: no process recorded in $PIDS"
  [ -f "$CONF/config.yaml" ] || return 0
  base="$(rest_base)"
  if ! overview="$(jm_curl -sf "$base/overview" 2>/dev/null)"; then
    [ "$any" = 1 ] && echo "dashboard $base: no answer"
    return 0
  fi
  echo "dashboard $base"
  echo "$overview" | json '"%d TaskManagers, %d of %d slots free; jobs: %d running, %d finished, %d cancelled, %d failed" % (
      j["taskmanagers"], j["slots-available"], j["slots-total"],
      j["jobs-running"], j["jobs-finished"], j["jobs-cancelled"], j["jobs-failed"])'
  jm_curl -sf "$base/jobs/overview" 2>/dev/null | json '"\n".join("job %s %s %s" % (x["jid"], x["state"], x["name"])
      for x in sorted(j["jobs"], key=lambda x: x["start-time"])) or "no jobs"' || true
}

cmd_kill_tm() {
  local n="$1" sig="${2:-KILL}" pid
  pid="$(live_pid "taskmanager-$n" "$TM_CLASS")" || die "taskmanager-$n is not running"
  kill "-$sig" "$pid"
  if [ "$sig" = KILL ] || [ "$sig" = 9 ]; then
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$(pid_file "taskmanager-$n")"
  fi
  log "sent $sig to taskmanager-$n (pid $pid)"
}

# ---------------------------------------------------------------------------- jobs

rest_run() {  # rest_run <jar> <savepoint or ""> [args...]: upload, run, print the job id
  local jar="$1" savepoint="$2" base upload jarid body answer jobid; shift 2
  [ -f "$jar" ] || die "no such jar: $jar"
  base="$(rest_base)"
  upload="$(jm_curl -sS -f -X POST -H 'Expect:' -F "jarfile=@$jar" "$base/jars/upload")" \
      || die "upload of $jar failed"
  jarid="$(echo "$upload" | json 'j["filename"].rsplit("/", 1)[-1]')"
  # A REST run without a parallelism gets 1, not parallelism.default as 'flink run' does: pass it.
  export PARALLELISM="${RAWSTREAM_PARALLELISM:-$(conf_get parallelism.default)}"
  body="$("$PY" -c 'import json, os, sys
b = {"programArgsList": sys.argv[2:]}
if sys.argv[1]:
    b["savepointPath"] = sys.argv[1]
if os.environ.get("PARALLELISM"):
    b["parallelism"] = int(os.environ["PARALLELISM"])
print(json.dumps(b))' "$savepoint" "$@")"
  answer="$(jm_curl -sS -X POST -H 'Content-Type: application/json' -d "$body" "$base/jars/$jarid/run")"
  jobid="$(echo "$answer" | json 'j.get("jobid")' 2>/dev/null || true)"
  [ -n "$jobid" ] || die "run of $jarid failed: $answer"
  # The uploaded jar is only needed until the job graph is built.
  jm_curl -sf -X DELETE "$base/jars/$jarid" >/dev/null || true
  echo "$jobid"
}

cmd_submit_cli() {
  local jar="$1" out jobid p=(); shift
  [ -f "$jar" ] || die "no such jar: $jar"
  [ -n "${RAWSTREAM_PARALLELISM:-}" ] && p=(-p "$RAWSTREAM_PARALLELISM")
  # Without FLINK_CONF_DIR the CLI exits 31 and prints nothing.
  out="$(FLINK_CONF_DIR="$CONF" "$JAVA" "${JAVA_OPENS[@]}" \
      "-Dlog.file=$LOGS/client.log" "-Dlog4j.configurationFile=$CONF/log4j.properties" \
      -cp "$LIB/*" "$CLI_CLASS" run -d "${p[@]}" "$jar" "$@" 2>&1)" || die "CLI run failed: $out"
  jobid="$(echo "$out" | sed -n 's/.*Job has been submitted with JobID \([0-9a-f]\{32\}\).*/\1/p' | head -n1)"
  [ -n "$jobid" ] || die "CLI printed no job id: $out"
  echo "$jobid"
}

cmd_stop_savepoint() {
  local job="$1" base trigger status deadline=$((SECONDS + TIMEOUT)) answer
  base="$(rest_base)"
  answer="$(jm_curl -sS -X POST -H 'Content-Type: application/json' -d '{"drain": false}' \
      "$base/jobs/$job/stop")"
  trigger="$(echo "$answer" | json 'j.get("request-id")' 2>/dev/null || true)"
  [ -n "$trigger" ] || die "stop of $job refused: $answer"
  while :; do
    answer="$(jm_curl -sS "$base/jobs/$job/savepoints/$trigger")"
    status="$(echo "$answer" | json 'j["status"]["id"]')"
    if [ "$status" = COMPLETED ]; then
      echo "$answer" | "$PY" -c 'import json, sys
op = json.load(sys.stdin).get("operation", {})
if "location" not in op:
    sys.exit("savepoint failed: " + json.dumps(op.get("failure-cause", op))[:2000])
print(op["location"])' || die "stop-with-savepoint of $job failed"
      return 0
    fi
    [ $SECONDS -lt $deadline ] || die "no savepoint for $job after ${TIMEOUT}s: $answer"
    sleep 0.5
  done
}

cmd_wait_running() {
  local job="$1" deadline=$((SECONDS + TIMEOUT)) state base
  base="$(rest_base)"
  while :; do
    state="$(jm_curl -sf "$base/jobs/$job" 2>/dev/null | json \
        '"RUNNING" if j["state"] == "RUNNING" and all(v["status"] == "RUNNING" for v in j["vertices"]) else j["state"]' \
        2>/dev/null || true)"
    [ "$state" = RUNNING ] && return 0
    case "$state" in FAILED|CANCELED|FINISHED) die "job $job is $state" ;; esac
    [ $SECONDS -lt $deadline ] || die "job $job not running after ${TIMEOUT}s (state ${state:-unknown})"
    sleep 0.5
  done
}

# ---------------------------------------------------------------------------- main

need() { [ $# -ge "$1" ] || { usage >&2; exit 2; }; }

cmd="${1:-help}"; [ $# -gt 0 ] && shift
case "$cmd" in
  lib) cmd_lib ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  start-tm) need 1 "$@"; start_tm "$1" ;;
  kill-tm) need 1 "$@"; cmd_kill_tm "$@" ;;
  submit) need 1 "$@"; jar="$1"; shift; rest_run "$jar" "" "$@" ;;
  submit-cli) need 1 "$@"; cmd_submit_cli "$@" ;;
  resume) need 2 "$@"; sp="$1"; jar="$2"; shift 2; rest_run "$jar" "$sp" "$@" ;;
  stop-savepoint) need 1 "$@"; cmd_stop_savepoint "$1" ;;
  cancel) need 1 "$@"; base="$(rest_base)"; jm_curl -sf -X PATCH "$base/jobs/$1?mode=cancel" >/dev/null ;;
  wait-running) need 1 "$@"; cmd_wait_running "$1" ;;
  rest) need 1 "$@"; base="$(rest_base)"; jm_curl -sS -f "$base$1"; echo ;;
  url) rest_base ;;
  help|-h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
