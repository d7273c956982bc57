#!/usr/bin/python3
"""Second-by-second view of one RawStream job under spead2's sender: where an overload starts.

Starts a local run (`rawstream run --local`) with one SPEAD UDP source, warms it up, then sends
1 MiB heaps in 8972-byte packets with spead2_send at RATE Gb/s for SECONDS and prints, once a
second, what the job's metrics (Flink REST API) and the kernel say: heaps shed, datagrams the
kernel dropped, bytes waiting in the hand-over and in the sink's append queue, times the task
thread waited for the append thread, bytes written per second, dirty page cache, checkpoints.
At the end: CPU seconds per JVM thread during the send, and the job's last status line.

Usage: spead_timeline.py RAWSTREAM WORKDIR RATE SECONDS [--warm 3,4] [-- job arguments ...]
  RAWSTREAM  the distribution's bin/rawstream (or ./rawstream in a checkout)
  --warm     rates (Gb/s) sent for 10 s each before the measured one (after 5 s at 1 Gb/s)
spead2_send is taken from $SPEAD2_PREFIX/bin (default /usr/local). Loopback only; as root, raises
net.core.rmem_max to 64 MiB for the run (the source asks for a 64 MiB receive buffer).
"""
import json, os, re, shutil, signal, socket, subprocess, sys, time, urllib.request

HEAP, PACKET = 1 << 20, 8972
SEND = os.path.join(os.environ.get('SPEAD2_PREFIX', '/usr/local'), 'bin', 'spead2_send')


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index('--') + 1:] if '--' in argv else []
    argv = argv[:argv.index('--')] if '--' in argv else argv
    warm = []
    if '--warm' in argv:
        i = argv.index('--warm')
        warm = [float(r) for r in argv[i + 1].split(',') if r]
        del argv[i:i + 2]
    if len(argv) != 4:
        sys.exit(__doc__)
    rawstream, work, rate, secs = argv[0], os.path.abspath(argv[1]), float(argv[2]), float(argv[3])
    os.makedirs(work, exist_ok=True)
    port, rest = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    old_rmem = None
    if os.geteuid() == 0:
        old_rmem = open('/proc/sys/net/core/rmem_max').read().strip()
        subprocess.run(['sysctl', '-qw', f'net.core.rmem_max={64 << 20}'], check=False)
    args = ['run', '--local', '--output', f'{work}/out', '--state-dir', f'{work}/state', '--sources', 's1',
            '-D', f'rest.port={rest}', '-D', 'metrics.fetcher.update-interval=1000',
            '--set', 'source.s1.type=spead-udp', '--set', f'source.s1.port={port}'] + extra
    job = subprocess.Popen([rawstream] + args, start_new_session=True,
                           stdout=open(f'{work}/rawstream.log', 'w'), stderr=subprocess.STDOUT)
    try:
        run(job, work, port, rest, rate, secs, warm)
    finally:
        os.killpg(job.pid, signal.SIGTERM)
        try:
            job.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(job.pid, signal.SIGKILL)
            job.wait()
        if old_rmem is not None:
            subprocess.run(['sysctl', '-qw', f'net.core.rmem_max={old_rmem}'], check=False)
        shutil.rmtree(f'{work}/out', ignore_errors=True)
        shutil.rmtree(f'{work}/state', ignore_errors=True)


def send(port, rate, secs, **kw):
    heaps = int(rate * 1e9 * secs / 8 / HEAP)
    cmd = [SEND, '--heap-size', str(HEAP), '--packet', str(PACKET), '--rate', str(rate), '--heaps', str(heaps),
           '--buffer', str(32 << 20), f'127.0.0.1:{port}']
    return heaps, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def thread_cpu(pid):
    """CPU seconds per thread name (digits folded: one row per pool)."""
    out = {}
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            stat = open(f'/proc/{pid}/task/{tid}/stat').read()
        except OSError:
            continue
        name = re.sub(r'\d+', '#', stat[stat.index('(') + 1:stat.rindex(')')])
        fields = stat.rsplit(')', 1)[1].split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    return out


def run(job, work, port, rest, rate, secs, warm):
    def get(path):
        return json.load(urllib.request.urlopen(f'http://127.0.0.1:{rest}{path}', timeout=5))

    deadline = time.time() + 180
    jid = None
    while jid is None:
        if job.poll() is not None or time.time() > deadline:
            sys.exit(f'the job did not start; see {work}/rawstream.log')
        try:
            jid = next((j['id'] for j in get('/jobs')['jobs'] if j['status'] == 'RUNNING'), None)
        except OSError:
            pass
        time.sleep(1)
    vertex = get(f'/jobs/{jid}')['vertices'][0]['id']
    src, sink = 'Source__s1_(spead-udp).rawstream.s1.', 'raw-hdf5_sink__Writer.rawhdf5.'
    names = {'shed': src + 'heapsShed', 'kdrop': src + 'datagramsDroppedByKernel', 'handover': src + 'handoverBytes',
             'queue': sink + 'appendQueueBytes', 'waits': sink + 'appendWaits', 'written': sink + 'bytesWritten'}
    query = ','.join('0.' + n for n in names.values())

    def sample():
        try:
            values = {m['id'][2:]: float(m['value']) for m in get(f'/jobs/{jid}/vertices/{vertex}/metrics?get={query}')}
        except (OSError, ValueError):
            return None
        return {k: values.get(n, 0.0) for k, n in names.items()}  # a counter appears with its first event

    for r, s in [(1.0, 5)] + [(w, 10) for w in warm]:
        print(f'warm-up: {r} Gb/s for {s} s', flush=True)
        send(port, r, s)[1].communicate()
        time.sleep(12)  # past the next checkpoint
    # The REST API answers from a store it refreshes in the background (every second here): read
    # twice so that the baseline is current, and note the checkpoints done so far.
    sample()
    time.sleep(1.5)
    first = prev = sample() or {k: 0.0 for k in names}
    seen = {c['id'] for c in get(f'/jobs/{jid}/checkpoints')['history']}
    cpu0 = thread_cpu(job.pid)
    heaps, sender = send(port, rate, secs)
    t0 = time.time()
    tprev, cpu1 = t0, None
    print(f'{rate} Gb/s for {secs} s, {heaps} heaps of 1 MiB to 127.0.0.1:{port}')
    print(f'{"t s":>5} {"shed":>6} {"kdrop":>6} {"handover MB":>11} {"queue MB":>8} {"waits":>6} '
          f'{"written MB/s":>12} {"dirty MB":>8}  checkpoints completed', flush=True)
    while time.time() - t0 < secs + 12:
        time.sleep(1)
        now, s = time.time(), sample()
        if s is None:
            continue
        if cpu1 is None and sender.poll() is not None:
            cpu1 = thread_cpu(job.pid)
        try:
            done = [c for c in get(f'/jobs/{jid}/checkpoints')['history']
                    if c['status'] == 'COMPLETED' and c['id'] not in seen]
        except OSError:
            done = []
        seen.update(c['id'] for c in done)
        meminfo = dict(line.split(':', 1) for line in open('/proc/meminfo'))
        dirty = int(meminfo['Dirty'].split()[0]) / 1024
        print(f'{now - t0:5.1f} {s["shed"] - first["shed"]:6.0f} {s["kdrop"] - first["kdrop"]:6.0f} '
              f'{s["handover"] / 1e6:11.1f} {s["queue"] / 1e6:8.1f} {s["waits"] - first["waits"]:6.0f} '
              f'{(s["written"] - prev["written"]) / 1e6 / (now - tprev):12.0f} {dirty:8.0f}  '
              + ' '.join(f'#{c["id"]} ({c["end_to_end_duration"]} ms)' for c in done), flush=True)
        prev, tprev = s, now
    out = sender.communicate()[0].strip().splitlines()
    print('sender:', out[-1] if out else '?')
    cpu1 = cpu1 or thread_cpu(job.pid)
    used = sorted(((n, c - cpu0.get(n, 0)) for n, c in cpu1.items()), key=lambda x: -x[1])
    print('CPU s during the send:', ', '.join(f'{n} {c:.1f}' for n, c in used[:8] if c >= 0.05),
          f'(job total {sum(c for _, c in used):.1f})')
    status = [line for line in open(f'{work}/rawstream.log').read().splitlines() if line.startswith(('source ', 's1 '))]
    print('\n'.join(status[-2:]))


if __name__ == '__main__':
    main()
