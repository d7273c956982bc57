#!/usr/bin/env bash
# Sink throughput by cluster layout: the job (built-in generator, unlimited rate -> RawHdf5Sink) on
# a standalone cluster (flink-conf/cluster.sh, Maven Central jars, 127.0.0.1) with
#   1, 2 and 4 TaskManagers of one slot  vs  one TaskManager with 2 and 4 slots,
# parallelism = slots, every layout on the same workload, one after the other, interleaved over
# REPEATS rounds; per layout the median of the rounds. Figures: messages committed / time from the
# job's RUNNING to FINISHED (everything committed; deployment and the final checkpoint included).
# The physical bound in the same run: dd of the same byte count to the same disk with fdatasync.
#
#   bench/sink-scaling.sh            (after: mvn -o -pl job -am package -DskipTests)
#   BENCH_COUNT=1000000 BENCH_SIZE=1024 BENCH_REPEATS=1 BENCH_LAYOUTS="1x1 2x1 4x1 1x2 1x4"
#
# Every process it starts is stopped by cluster.sh stop (by PID), also on failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/job/target/rawstream-job.jar"
COUNT="${BENCH_COUNT:-1000000}"
SIZE="${BENCH_SIZE:-1024}"
REPEATS="${BENCH_REPEATS:-1}"
LAYOUTS="${BENCH_LAYOUTS:-1x1 2x1 4x1 1x2 1x4}"
WORK="${BENCH_DIR:-$ROOT/bench/target/sink-scaling}"
PY=/usr/bin/python3
CLUSTER="$ROOT/flink-conf/cluster.sh"
[ -f "$JAR" ] || { echo "no $JAR: mvn -o -pl job -am package -DskipTests" >&2; exit 1; }

export RAWSTREAM_CLUSTER_DIR="$WORK/cluster" RAWSTREAM_REST_PORT=auto RAWSTREAM_RPC_PORT=auto RAWSTREAM_TIMEOUT=300
mkdir -p "$WORK"
OUT="$WORK/out"
RESULTS="$WORK/results.txt"
: > "$RESULTS"
trap '"$CLUSTER" stop >/dev/null 2>&1 || true; rm -rf "$OUT"' EXIT

committed() {  # messages in the committed files under $1
  "$PY" - "$1" <<'PYEOF'
import glob, os, sys, h5py
n = 0
for f in glob.glob(os.path.join(sys.argv[1], "**", "*.h5"), recursive=True):
    if not os.path.basename(f).startswith("."):
        with h5py.File(f, "r") as h:
            n += h["msgs"].shape[0]
print(n)
PYEOF
}

bound() {  # MB/s of dd writing COUNT*SIZE bytes with fdatasync, to the output's disk
  mkdir -p "$OUT"
  local mib=$(( (COUNT * SIZE + 1048575) / 1048576 )) t0 t1
  t0=$(date +%s.%N)
  dd if=/dev/zero of="$OUT/dd.bin" bs=1M count="$mib" conv=fdatasync status=none
  t1=$(date +%s.%N)
  rm -f "$OUT/dd.bin"
  "$PY" -c "import sys; print(round($mib * 1048576 / 1e6 / ($t1 - $t0), 1))"
}

tm_cpu() {  # CPU seconds (user + system) of the running TaskManagers, from /proc/<pid>/stat
  local f pid sum=0 ticks
  ticks="$(getconf CLK_TCK)"
  for f in "$RAWSTREAM_CLUSTER_DIR"/pid/taskmanager-*.pid; do
    pid="$(cat "$f")"
    [ -r "/proc/$pid/stat" ] || continue
    sum=$((sum + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  "$PY" -c "print($sum / $ticks)"
}

run_layout() {  # run_layout <TaskManagers> <slots each>
  local tms="$1" slots="$2" p=$(( $1 * $2 )) job state times
  rm -rf "$OUT"
  RAWSTREAM_TASKMANAGERS="$tms" "$CLUSTER" start -D "taskmanager.numberOfTaskSlots=$slots" \
      -D "taskmanager.memory.process.size=2g" -D "jobmanager.memory.process.size=1000m" >/dev/null
  local cpu0; cpu0="$(tm_cpu)"
  job="$(RAWSTREAM_PARALLELISM=$p "$CLUSTER" submit "$JAR" --output "$OUT" --parallelism "$p" \
      --checkpoint-interval 2s --sources gen --set "source.gen.count=$COUNT" --set source.gen.rate=0 \
      --set "source.gen.message-bytes=$SIZE")"
  local deadline=$((SECONDS + 600))
  while :; do
    state="$("$CLUSTER" rest "/jobs/$job" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["state"])')"
    [ "$state" = FINISHED ] && break
    case "$state" in FAILED|CANCELED) echo "job $job is $state" >&2; exit 1 ;; esac
    [ $SECONDS -lt $deadline ] || { echo "job $job not finished after 600 s" >&2; exit 1; }
    sleep 1
  done
  local cpu; cpu="$("$PY" -c "print($(tm_cpu) - $cpu0)")"
  times="$("$CLUSTER" rest "/jobs/$job" | "$PY" -c 'import json,sys; t=json.load(sys.stdin)["timestamps"]; print((t["FINISHED"]-t["RUNNING"])/1000)')"
  local n; n="$(committed "$OUT/gen")"
  [ "$n" = "$COUNT" ] || { echo "layout ${tms}x${slots}: $n of $COUNT messages committed" >&2; exit 1; }
  "$CLUSTER" stop >/dev/null 2>&1
  echo "${tms}x${slots} $p $times $cpu" >> "$RESULTS"
  echo "layout ${tms} TM x ${slots} slot(s): ${times} s, ${cpu} CPU-s" >&2
}

"$CLUSTER" lib
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
DD1="$(bound)"
for r in $(seq 1 "$REPEATS"); do
  for layout in $LAYOUTS; do run_layout "${layout%x*}" "${layout#*x}"; done
done
DD2="$(bound)"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$RESULTS" "$COUNT" "$SIZE" "$DD1" "$DD2" "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PYEOF'
import statistics, sys
path, count, size, dd1, dd2, cores, lb, la = sys.argv[1:]
count, size = int(count), int(size)
runs = {}
for line in open(path):
    layout, p, secs, cpu = line.split()
    runs.setdefault(layout, (int(p), [], []))[1].append(float(secs))
    runs[layout][2].append(float(cpu))
mb = count * size / 1e6
print(f"{count:,} messages x {size:,} B = {mb:,.0f} MB per run; {cores} cores; load average before {lb}, after {la}")
print(f"physical bound (dd, fdatasync, same disk): {dd1} MB/s before, {dd2} MB/s after")
print(f"{'layout':<16}{'p':>3}{'runs':>5}{'seconds':>9}{'MB/s':>7}{'vs 1x1':>8}{'vs dd':>7}{'TM CPU-s':>10}{'MB/CPU-s':>10}")
base = None
for layout, (p, secs, cpus) in runs.items():
    s = statistics.median(secs)
    c = statistics.median(cpus)
    rate = mb / s
    base = base or rate
    tms, slots = layout.split("x")
    name = f"{tms} TM x {slots} slot" + ("s" if slots != "1" else "")
    print(f"{name:<16}{p:>3}{len(secs):>5}{s:>9.1f}{rate:>7.0f}{rate / base:>7.2f}x{rate / max(float(dd1), float(dd2)):>6.2f}x"
          f"{c:>10.1f}{mb / c:>10.0f}")
print("(seconds: job RUNNING -> FINISHED, all committed, medians; TM CPU-s: user+system of all TaskManager JVMs over"
      " the job; MB = 10^6 bytes of message payload)")
PYEOF
