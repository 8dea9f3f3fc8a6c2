"""warmup_cli benchmarks: every figure is a ratio against a baseline measured in the same run.

    make bench              # or: .venv/bin/python bench/bench.py [--quick]

1. start-up: ``warmup --help`` against ``python -c "import typer, rich.console"``;
2. bulk CSV: ``warmup show SPEC --steps 500000 --format csv`` against the script a user writes
   today (SGD + LambdaLR, one CSV line per step), with the LR columns compared byte for byte;
3. memory: peak RSS of a 10,000,000-step CSV run against ``python -c "import torch"``;
4. lint: ``warmup lint`` on 500 generated config files against ``yamllint`` on the same files.

Wall-clock times are medians of repeated runs; peak RSS comes from ``wait4``'s rusage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
# Measure as an installed tool runs for a user: bytecode caches are written and read, and
# stdout is block-buffered when it is a file. A session may set these two for its own reasons;
# both sides of every comparison run without them.
ENV = {k: v for k, v in os.environ.items()
       if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")}
BIN = Path(PYTHON).parent
WARMUP = str(BIN / "warmup")
SPEC = "linear:2000 > cosine:498000,floor=0.1"
BASE = 0.0003
# The same schedule as a user writes it by hand, for the baseline script.
PLAIN_SCRIPT = """
import math, sys, torch
steps = int(sys.argv[1])
param = torch.nn.Parameter(torch.zeros(1))
optimizer = torch.optim.SGD([param], lr=BASE_LR)
def lr_lambda(step):
    if step < 2000:
        return min(1.0, (step + 1) / 2000)
    t = step - 2000
    return 0.1 + (1.0 - 0.1) * 0.5 * (1.0 + math.cos(math.pi * (min(t, 498000) / 498000)))
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
out = sys.stdout
out.write("step,lr\\n")
for step in range(steps):
    out.write(f"{step},{optimizer.param_groups[0]['lr']}\\n")
    optimizer.step()
    scheduler.step()
""".replace("BASE_LR", repr(BASE))


def run(cmd: list[str], stdout: int | None = subprocess.DEVNULL,
        ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    return elapsed, usage.ru_maxrss


def _tree_rss_kib(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        stack.extend(int(child) for child in children)
    return total


def peak_tree_rss(cmd: list[str]) -> int:
    """Peak of the summed RSS of a command's whole process tree (KiB), sampled every 5 ms:
    warmup's sampled LambdaLR check runs in a child process beside the writer, and both
    count. wait4's ru_maxrss, the per-process maximum, is taken too and the larger wins."""
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=ENV)
    peak = 0
    while True:
        peak = max(peak, _tree_rss_kib(process.pid))
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"{' '.join(cmd)} failed")
            return max(peak, usage.ru_maxrss)
        time.sleep(0.005)


def median_time(cmd: list[str], repeat: int, ok: tuple[int, ...] = (0,)) -> float:
    run(cmd, ok=ok)  # warm the file cache
    return statistics.median(run(cmd, ok=ok)[0] for _ in range(repeat))


def startup(repeat: int) -> tuple[str, float, float, float]:
    ours = median_time([WARMUP, "--help"], repeat)
    base = median_time([PYTHON, "-c", "import typer, rich.console"], repeat)
    return ("warmup --help vs import typer, rich.console", ours, base, 1.3)


def bulk_csv(steps: int, workdir: Path) -> tuple[str, float, float, float]:
    script = workdir / "plain_lambdalr.py"
    script.write_text(PLAIN_SCRIPT)
    ours_out, plain_out = workdir / "ours.csv", workdir / "plain.csv"
    with ours_out.open("wb") as handle:
        ours, _ = run([WARMUP, "show", SPEC, "--steps", str(steps), "--format", "csv",
                       "--base", str(BASE)], stdout=handle.fileno())
    with plain_out.open("wb") as handle:
        plain, _ = run([PYTHON, str(script), str(steps)], stdout=handle.fileno())
    ours_lr = [line.split(",")[2] for line in ours_out.read_text().splitlines()[1:]]
    plain_lr = [line.split(",")[1] for line in plain_out.read_text().splitlines()[1:]]
    if ours_lr != plain_lr:
        first = next(i for i, (a, b) in enumerate(zip(ours_lr, plain_lr, strict=False)) if a != b)
        raise SystemExit(f"LR columns differ at step {first}: {ours_lr[first]} vs "
                         f"{plain_lr[first]}")
    print(f"  {steps:,} LR values byte-identical to the plain LambdaLR script")
    return (f"{steps:,}-step csv: plain LambdaLR script / warmup", plain, ours, 4.0)


def memory(steps: int) -> tuple[str, float, float, float]:
    ours = peak_tree_rss([WARMUP, "show", SPEC, "--steps", str(steps), "--format", "csv"])
    torch_only = peak_tree_rss([PYTHON, "-c", "import torch"])
    return (f"{steps:,}-step csv peak RSS minus import torch (MiB)", (ours - torch_only) / 1024,
            0.0, 100.0)


def lint(files: int, workdir: Path, repeat: int) -> tuple[str, float, float, float] | None:
    yamllint = shutil.which("yamllint", path=str(BIN)) or shutil.which("yamllint")
    if yamllint is None:
        print("  yamllint is not installed: lint comparison skipped")
        return None
    folder = workdir / "configs"
    folder.mkdir()
    for index in range(files):
        (folder / f"train_{index:03d}.yaml").write_text(
            f"# run {index}\noptimizer:\n  lr: 0.{index % 9 + 1}\nscheduler:\n"
            f"  lr_lambda: \"lambda epoch: min((epoch + 1) / {index % 7 + 2}, 1)\"\n"
            f"epochs: {index % 50 + 10}\n")
    # Exit codes 0/1 only say whether something was found; both tools read every file.
    ours = median_time([WARMUP, "lint", str(folder)], repeat, ok=(0, 1))
    theirs = median_time([yamllint, "-d", "relaxed", str(folder)], repeat, ok=(0, 1))
    return (f"warmup lint vs yamllint, {files} files", ours, theirs, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    bulk_steps = 100_000 if args.quick else 500_000
    memory_steps = 1_000_000 if args.quick else 10_000_000
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print("measuring start-up ...")
        results.append(startup(repeat))
        print("measuring bulk csv ...")
        results.append(bulk_csv(bulk_steps, workdir))
        print("measuring memory ...")
        results.append(memory(memory_steps))
        print("measuring lint ...")
        linted = lint(500, workdir, repeat)
        if linted:
            results.append(linted)
    print()
    print(f"{'benchmark':58} {'value':>9} {'target':>9}  ok")
    for name, a, b, target in results:
        if b == 0.0:  # an absolute figure (memory)
            value, ok = a, a <= target
            print(f"{name:58} {value:9.1f} {'<= ' + str(int(target)):>9}  {'yes' if ok else 'NO'}")
            continue
        ratio = a / b
        better_high = target >= 4.0  # speed-up ratios: higher is better
        ok = ratio >= target if better_high else ratio <= target
        print(f"{name:58} {ratio:8.2f}x {('>= ' if better_high else '<= ') + str(target):>9}"
              f"  {'yes' if ok else 'NO'}   ({a:.3f} s vs {b:.3f} s)")


if __name__ == "__main__":
    main()
