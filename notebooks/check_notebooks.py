#!/usr/bin/python3
"""Executes every notebook in notebooks/ headless against a run's output directory and checks
every figure was produced:

    /usr/bin/python3 notebooks/check_notebooks.py --out <output dir> --results <dir> \
        [--require spead,odin,echo,msgpack]

First the decoders the notebooks share (rawstream_out.py) are tested against the reference
vectors (test_rawstream_out.py). Each code cell tagged "figure" must have an image/png output, or, when its protocol is absent
from the run, print the notebook's "no <protocol> output in this run" line — unless that protocol
is listed in --require, in which case a missing figure fails. Any error output fails. Executed
notebooks are written to --results (they hold the figures). Exit status 0 = all good.
"""
import argparse
import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# What rawstream_out.no_output prints; names the missing protocol when there is one.
NO_OUTPUT = re.compile(r'no .+ output in this run \((?:.*protocol = "(?P<protocol>[^"]+)")?')


def execute(notebook: Path, out: Path, results: Path, timeout: int) -> Path:
    env = dict(os.environ, RAWSTREAM_OUT=str(out.resolve()))
    env.pop("MPLBACKEND", None)  # the notebooks choose the inline backend themselves
    nbconvert = shutil.which("jupyter-nbconvert", path="/usr/bin") or "jupyter-nbconvert"
    # The notebooks import rawstream_out.py from their own directory: run them there.
    cmd = [nbconvert, "--to", "notebook", "--execute", f"--ExecutePreprocessor.timeout={timeout}",
           "--ExecutePreprocessor.kernel_name=python3", "--output-dir", str(results.resolve()),
           str(notebook)]
    done = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True, timeout=timeout + 60)
    if done.returncode != 0:
        raise RuntimeError(f"{notebook.name}: jupyter-nbconvert failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return results / notebook.name


def check(executed: Path, required: set[str]) -> tuple[int, int, list[str]]:
    """(figures, figure cells without a figure, problems)"""
    nb = json.loads(executed.read_text())
    figures, skipped, problems = 0, 0, []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        outputs = cell.get("outputs", [])
        for o in outputs:
            if o.get("output_type") == "error":
                problems.append(f"cell {i}: {o.get('ename')}: {o.get('evalue')}")
        if "figure" not in cell.get("metadata", {}).get("tags", []):
            continue
        pngs = sum(1 for o in outputs if "image/png" in o.get("data", {}))
        text = "".join("".join(o.get("text", "")) for o in outputs if o.get("output_type") == "stream")
        missing = NO_OUTPUT.search(text)
        if pngs:
            figures += pngs
        elif missing and (missing["protocol"] not in required if missing["protocol"] else not required):
            skipped += 1
        else:
            problems.append(f"cell {i}: no figure" + (f" ({text.strip()[:200]})" if text.strip() else ""))
    return figures, skipped, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the run's output directory")
    parser.add_argument("--results", type=Path, required=True, help="where executed notebooks go")
    parser.add_argument("--require", default="", help="protocols whose figures must all be present")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per notebook")
    args = parser.parse_args()
    required = set(args.require.split(",")) - {""}
    args.results.mkdir(parents=True, exist_ok=True)
    # The decoders the notebooks use, against the reference vectors, first.
    tests = subprocess.run([sys.executable, "-m", "unittest", "discover", "-s", str(HERE), "-p", "test_*.py"],
                           cwd=HERE, capture_output=True, text=True, timeout=300)
    print(f"{'decoder tests':26s} {'ok' if tests.returncode == 0 else 'FAILED':6s} {tests.stderr.strip().splitlines()[-1]}")
    failed = tests.returncode != 0
    if failed:
        print(tests.stderr[-3000:])
    for notebook in sorted(HERE.glob("*.ipynb")):
        try:
            executed = execute(notebook, args.out, args.results, args.timeout)
            figures, skipped, problems = check(executed, required)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            figures, skipped, problems = 0, 0, [str(e)]
        status = "ok" if not problems else "FAILED"
        failed |= bool(problems)
        print(f"{notebook.name:26s} {status:6s} figures={figures} skipped(no output)={skipped}")
        for p in problems:
            print(f"    {p}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
