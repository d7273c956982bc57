#!/usr/bin/python3
"""Two SPEAD source configurations compared inside one RawStream job (one JVM, so the same JIT
state and the same machine moment for both): per rate, spead2_send sends 1 MiB heaps in 8972-byte
packets for SECONDS into source a<i> (the defaults) and then into b<i> (the defaults plus
B-SETTINGS), the order swapped at every other rate, after 600 heaps at 1 Gb/s into a0 and b0.
Prints per source and rate: heaps sent, heaps committed complete (read back with h5py), the
sender's rate, the job's CPU seconds during the send and its busiest threads. The job's status
table at the stop (WORKDIR/rs.log) has the shed, dropped and incomplete counts per source.

Usage: spead_ab.py RAWSTREAM WORKDIR SECONDS "B-SETTINGS" RATES...
  RAWSTREAM    the distribution's bin/rawstream run command, e.g. "<dist>/bin/rawstream run"
  B-SETTINGS   space-separated key=value for every b source, e.g. "shed-at=1"
Needs spead2's C++ tools (spead2_send under $SPEAD2_PREFIX/bin, default /usr/local) and h5py.
Root: raises net.core.rmem_max/wmem_max to 64 MiB as the ladder does.
"""
import glob, os, re, shutil, signal, struct, subprocess, sys, time
import h5py
from spead_timeline import thread_cpu  # CPU seconds per JVM thread name, beside this script
bin_, work, secs, bset = sys.argv[1], os.path.abspath(sys.argv[2]), float(sys.argv[3]), sys.argv[4].split()
rates = [float(r) for r in sys.argv[5:]]
HEAP, PKT, BUF = 1 << 20, 8972, 32 << 20
SPEAD2 = os.environ.get('SPEAD2_PREFIX', '/usr/local') + '/bin'
os.makedirs(work, exist_ok=True)
subprocess.run(['sysctl', '-qw', f'net.core.rmem_max={64 << 20}', f'net.core.wmem_max={64 << 20}'])
names = []
for i in range(len(rates) + 1):
    names += [f'a{i}', f'b{i}']
base = 17500
out = os.path.join(work, 'out'); shutil.rmtree(out, ignore_errors=True)
args = ['--local', '--output', out, '--sources', ','.join(names), '-D', 'rest.port=18082', '--state-dir', f'{work}/state']
for k, n in enumerate(names):
    args += ['--set', f'source.{n}.type=spead-udp', '--set', f'source.{n}.port={base + k}', '--set', f'source.{n}.io-group={k}']
    if n.startswith('b'):
        for s in bset:
            args += ['--set', f'source.{n}.{s}']
job = subprocess.Popen(bin_.split() + args, start_new_session=True, stdout=open(f'{work}/rs.log', 'w'), stderr=subprocess.STDOUT)
def bound(port):
    return any(l.split()[1].endswith(':%04X' % port) for l in open('/proc/net/udp').readlines()[1:])
t = time.time() + 300
while not all(bound(base + k) for k in range(len(names))):
    if time.time() > t or job.poll() is not None: sys.exit('job did not bind')
    time.sleep(1)
jpid = None
for p in os.listdir('/proc'):
    if p.isdigit():
        try:
            c = open(f'/proc/{p}/cmdline', 'rb').read()
            if b'java' in c.split(b'\0')[0] and os.getpgid(int(p)) == job.pid: jpid = int(p)
        except OSError: pass
def send(port, rate, heaps):
    r = subprocess.run([SPEAD2 + '/spead2_send', '--heap-size', str(HEAP), '--packet', str(PKT), '--rate', str(rate),
                        '--heaps', str(heaps), '--buffer', str(BUF), f'127.0.0.1:{port}'], capture_output=True, text=True)
    m = re.search(r'([\d.]+) Gb/s', r.stdout); return float(m.group(1)) if m else 0.0
def complete(name):
    n = 0
    for f in glob.glob(os.path.join(out, name, 'part-*.h5')):
        with h5py.File(f, 'r') as h:
            for m in h['msgs']:
                b = bytes(m[:64]); ab, k = b[3], struct.unpack_from('>H', b, 6)[0]; bits, fl = ab * 8, {}
                for i in range(min(k, 7)):
                    (p,) = struct.unpack_from('>Q', b, 8 + 8 * i); fl[(p >> bits) & ((1 << (63 - bits)) - 1)] = p & ((1 << bits) - 1)
                if fl.get(2, 0) >= HEAP: n += fl.get(3) == 0 and fl.get(4) == fl.get(2) == len(m) - 8 - 8 * k
    return n
def run(name, port, rate, heaps):
    t0 = thread_cpu(jpid); got = send(port, rate, heaps); t1 = thread_cpu(jpid)
    cpu = {name: v - t0.get(name, 0) for name, v in t1.items()}
    # Committed at checkpoints (every 10 s in a local run): the count is final once it has not
    # changed for longer than a checkpoint interval (a shorter wait can fall between two commits).
    tl, n, since = time.time() + 90, -1, time.time()
    while time.time() < tl:
        time.sleep(4); m = complete(name)
        if m != n:
            n, since = m, time.time()
        elif m > 0 and time.time() - since > 14:
            break
    for f in glob.glob(os.path.join(out, name, 'part-*.h5')): os.remove(f)
    top = sorted(cpu.items(), key=lambda kv: -kv[1])[:4]
    return got, n, sum(cpu.values()), ' '.join(f'{k}:{v:.1f}' for k, v in top)
run('a0', base, 1.0, 600); run('b0', base + 1, 1.0, 600)
print(f'{"src":4s} {"rate":>5s} {"sent":>5s} {"compl":>6s} {"pct":>6s} {"Gb/s":>5s} {"cpu":>5s}  top threads', flush=True)
for i, rate in enumerate(rates, start=1):
    heaps = int(rate * 1e9 * secs / 8 / HEAP)
    order = ['a', 'b'] if i % 2 else ['b', 'a']
    for s in order:
        k = names.index(f'{s}{i}')
        got, n, cpu, top = run(f'{s}{i}', base + k, rate, heaps)
        print(f'{s}{i:<3d} {rate:5.1f} {heaps:5d} {n:6d} {100.0*n/heaps:6.1f} {got:5.2f} {cpu:5.1f}  {top}', flush=True)
        time.sleep(2)
os.killpg(job.pid, signal.SIGINT)
try: job.wait(timeout=60)
except subprocess.TimeoutExpired: os.killpg(job.pid, signal.SIGKILL)
