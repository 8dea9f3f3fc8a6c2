"""warmup_cli benchmarks: every row of issue 13's table, each against its anchor, in one run.

    make bench                      # or: .venv/bin/python bench/bench.py
    .venv/bin/python bench/bench.py --only lint --pairs 7
    .venv/bin/python bench/bench.py --markdown   # the table as README's Performance shows it

How it measures, so that the figures can be trusted on a busy machine:
* each figure compares a command A (warmup) with its anchor B run *in alternation*, A then B,
  pair after pair (``--pairs``, at least 5), after one warm-up run of each: a load that comes
  and goes hits both sides alike. The ratio is the median of the pairs' ratios;
* CPU time is user + system time from ``wait4``, which includes every process the command
  waited for (lint's workers, show's verification child); wall time is taken beside it;
  peak memory is ``wait4``'s ``ru_maxrss`` (the largest process of the tree), or, where said,
  the summed RSS of the whole process tree sampled every 5 ms;
* the lint inputs are generated at bench time in a temporary folder: copies of the real
  configs in ``../shared/corpus`` (500 and 5,000 files, every framework reader and the long
  runs included), and a folder of Python files: the corpus's Python configs and a few small
  training scripts written here; and, for the flake8 row (issue 9), 200 copies of each
  training-script shape of tests/fixtures/scripts and of those scripts. Nothing generated is
  committed;
* both sides run without ``PYTHONDONTWRITEBYTECODE`` and ``PYTHONUNBUFFERED``, as an
  installed tool runs for a user; lint runs with ``--no-cache`` except in the cache row.

Nothing here is a test: the goals are printed beside the figures, never asserted.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PYTHON = sys.executable
BIN = Path(PYTHON).parent
ENV = {k: v for k, v in os.environ.items()
       if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "WARMUP_NO_CACHE",
                    "WARMUP_CACHE_DIR")}
WARMUP = str(BIN / "warmup")
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SPEC = "linear:2000 > cosine:498000,floor=0.1"
# The corpus configs whose Lightning reader steps torch's real scheduler classes (tests/
# test_corpus.py TORCH_FILES): each lint process that reads one imports torch.
TORCH_CONFIGS = (
    "lightning-cli__Lightning-AI_litgpt__phi-2-full-warmup-gt-max-steps.yaml",
    "lightning-cli__genbio-ai_ModelGenerator__rna-ss-linearlr-decay.yaml",
    "lightning-cli__speediedan_finetuning-scheduler__explicit-reinit-linearlr.yaml",
    "lightning-cli__speediedan_finetuning-scheduler__fts-defaults.yaml",
)
BASE = 0.0003
# The same schedule as a user writes it by hand, for the bulk baseline.
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

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
# The training-script shapes of the flake8 row (issue 9's speed goal), from the test fixtures.
SCRIPT_SHAPES = ("show/hf_closure.py", "show/yolo_flags.py", "show/gan_loop.py",
                 "show/lightning_module.py", "show/partial_factor.py",
                 "show/sequential_warmup_cosine.py", "show/lambdalr_subclass.py",
                 "lint/accumulation.py", "lint/resume_restart.py", "lint/plateau.py")
SCRIPT_COPIES = 200
# Small training scripts as people write them (issue 9's shapes), for the Python lint set.
SCRIPTS = {
    "train_lambdalr.py": '''
import torch
model = torch.nn.Linear(4, 2)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
warmup_steps = 500
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda step: min(1.0, (step + 1) / warmup_steps))
for step in range(10_000):
    optimizer.step()
    scheduler.step()
''',
    "train_sequential.py": '''
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
model = torch.nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
warmup = LinearLR(optimizer, start_factor=0.01, total_iters=5)
cosine = CosineAnnealingLR(optimizer, T_max=95)
scheduler = SequentialLR(optimizer, [warmup, cosine], milestones=[5])
for epoch in range(100):
    for batch in range(10):
        optimizer.step()
    scheduler.step()
''',
    "train_hf.py": '''
import argparse
import torch
from transformers import get_linear_schedule_with_warmup
parser = argparse.ArgumentParser()
parser.add_argument("--warmup-steps", type=int, default=0)
parser.add_argument("--max-steps", type=int, default=20_000)
args = parser.parse_args()
model = torch.nn.Linear(4, 2)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
scheduler = get_linear_schedule_with_warmup(optimizer, args.warmup_steps, args.max_steps)
for step in range(args.max_steps):
    optimizer.step()
    scheduler.step()
''',
    "train_noam.py": '''
import torch
def noam(step, d_model=512, warmup=4000):
    return d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)
model = torch.nn.Linear(4, 2)
optimizer = torch.optim.Adam(model.parameters(), lr=1.0)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, noam)
''',
}


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and every process it waited for
    rss_kib: int  # wait4's ru_maxrss: the largest process


def measure(cmd: Sequence[str], *, cwd: Path | None = None, ok: tuple[int, ...] = (0,),
            stdout: int | None = None, env: dict[str, str] | None = None) -> Sample:
    start = time.perf_counter()
    process = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL if stdout is None else stdout,
                               stderr=subprocess.PIPE, env=env or ENV, cwd=cwd)
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {process.returncode}:\n"
                         f"{stderr.decode(errors='replace')[-2000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def paired(a: Callable[[], Sample], b: Callable[[], Sample], pairs: int
           ) -> tuple[list[Sample], list[Sample]]:
    """A and B in alternation, ``pairs`` times, after a warm-up run of each."""
    a(), b()
    ours: list[Sample] = []
    theirs: list[Sample] = []
    for _ in range(pairs):
        ours.append(a())
        theirs.append(b())
    return ours, theirs


@dataclass(frozen=True)
class Row:
    work: str
    anchor: str
    figure: str  # "CPU", "wall", "MB"
    value: float  # the ratio (or MB)
    goal: str
    met: bool
    detail: str


def ratio_row(work: str, anchor: str, ours: list[Sample], theirs: list[Sample], *,
              figure: str, most: float | None = None, least: float | None = None,
              goal: str | None = None) -> Row:
    """The median of the pairs' ratios ours/theirs (``least``: theirs/ours, a speed-up)."""
    pick = (lambda s: s.cpu) if figure == "CPU" else (lambda s: s.wall)
    speedup = least is not None
    ratios = [(pick(t) / pick(o)) if speedup else (pick(o) / pick(t))
              for o, t in zip(ours, theirs, strict=True)]
    value = statistics.median(ratios)
    met = value >= least if least is not None else value <= (most or 0.0)
    goal = goal or (f">= {least:g}x faster" if speedup else f"<= {most:g}x")
    detail = (f"{statistics.median(map(pick, ours)):.3f} s vs "
              f"{statistics.median(map(pick, theirs)):.3f} s {figure.lower()}")
    return Row(work, anchor, figure, value, goal, met, detail)


# --- the input sets -------------------------------------------------------------------------

def corpus_configs() -> list[Path]:
    from warmup_cli.vocab import CONFIG_SUFFIXES

    return sorted(p for p in CORPUS.iterdir() if p.name.endswith(CONFIG_SUFFIXES))


def copies(folder: Path, sources: list[Path], count: int) -> Path:
    """``count`` files cycling through ``sources``, each round in its own folder (file names
    stay those of the corpus: some readers go by the name)."""
    for index in range(count):
        source = sources[index % len(sources)]
        target = folder / f"round{index // len(sources):04d}" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return folder


def python_set(folder: Path, count: int) -> Path:
    scripts = folder.parent / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    for name, text in SCRIPTS.items():
        (scripts / name).write_text(text.lstrip())
    sources = [p for p in corpus_configs() if p.suffix == ".py"] + sorted(scripts.iterdir())
    return copies(folder, sources, count)


# --- the rows -------------------------------------------------------------------------------

def lint_cmd(folder: Path, *extra: str) -> list[str]:
    return [WARMUP, "lint", "--no-cache", *extra, str(folder)]


def row_help(pairs: int, _: Path) -> list[Row]:
    ours, theirs = paired(lambda: measure([WARMUP, "--help"]),
                          lambda: measure([PYTHON, "-c", "import typer, rich.console"]), pairs)
    return [ratio_row("`warmup --help`", "`import typer, rich.console`", ours, theirs,
                      figure="CPU", most=1.1)]


def row_show(pairs: int, _: Path) -> list[Row]:
    torch = lambda: measure([PYTHON, "-c", "import torch"])  # noqa: E731
    csv = [WARMUP, "show", "linear:4,base=0.1", "-n", "10", "--format", "csv"]
    rows = [ratio_row("`warmup show 'linear:4,base=0.1' -n 10 --format csv`",
                      "`python -c 'import torch'`", *paired(lambda: measure(csv), torch, pairs),
                      figure="CPU", most=1.1)]
    plot = [WARMUP, "show", "linear:4,base=0.1", "-n", "10", "--plot"]
    rows.append(ratio_row("the same with the table and plot (`--plot`)",
                          "`python -c 'import torch'`",
                          *paired(lambda: measure(plot), torch, pairs), figure="CPU", most=1.1))
    return rows


def _yamllint() -> str:
    found = shutil.which("yamllint", path=str(BIN)) or shutil.which("yamllint")
    if found is None:
        raise SystemExit("yamllint is not installed: `make bench` installs it (the bench extra)")
    return found


def row_lint(pairs: int, work: Path) -> list[Row]:
    yamllint = _yamllint()
    folder = copies(work / "corpus500", corpus_configs(), 500)
    ours, theirs = paired(lambda: measure(lint_cmd(folder), ok=(0, 1, 2), cwd=work),
                          lambda: measure([yamllint, "-d", "relaxed", str(folder)], ok=(0, 1)),
                          pairs)
    rows = [ratio_row("`warmup lint` over 500 copies of the corpus configs",
                      "`yamllint -d relaxed` on the same files", ours, theirs, figure="CPU",
                      most=0.5)]
    peak = statistics.median(s.rss_kib for s in ours) / 1024
    rows.append(Row("peak memory of that lint (largest process)",
                    f"yamllint: {statistics.median(s.rss_kib for s in theirs) / 1024:.0f} MB",
                    "MB", peak, "<= 60 MB", peak <= 60, "wait4 ru_maxrss, median"))
    # Where the rest goes: the same set without the Lightning configs whose reader steps
    # torch's own scheduler classes (importing torch in lint; see README, Performance).
    plain = [p for p in corpus_configs() if p.name not in TORCH_CONFIGS]
    folder = copies(work / "corpus500-without-torch", plain, 500)
    ours, theirs = paired(lambda: measure(lint_cmd(folder), ok=(0, 1, 2), cwd=work),
                          lambda: measure([yamllint, "-d", "relaxed", str(folder)], ok=(0, 1)),
                          pairs)
    rows.append(ratio_row(f"  the same mix without the {len(TORCH_CONFIGS)} Lightning configs "
                          "that step torch's classes", "yamllint on those files", ours, theirs,
                          figure="CPU", most=0.5))
    peak = statistics.median(s.rss_kib for s in ours) / 1024
    rows.append(Row("  its peak memory (largest process)", "", "MB", peak, "<= 60 MB",
                    peak <= 60, "wait4 ru_maxrss, median"))
    return rows


def row_lint_5000(pairs: int, work: Path) -> list[Row]:
    yamllint = _yamllint()
    folder = copies(work / "corpus5000", corpus_configs(), 5000)
    ours, theirs = paired(lambda: measure(lint_cmd(folder), ok=(0, 1, 2), cwd=work),
                          lambda: measure([yamllint, "-d", "relaxed", str(folder)], ok=(0, 1)),
                          pairs)
    rows = [ratio_row(f"the same over 5,000 copies (--jobs: {os.cpu_count()} cores)",
                      "yamllint, wall time", ours, theirs, figure="wall", most=0.3)]
    rows.append(ratio_row("  (its CPU time)", "yamllint, CPU time", ours, theirs, figure="CPU",
                          most=float("inf"), goal="(no goal)"))
    cache = work / "cache5000"
    env = {**ENV, "WARMUP_CACHE_DIR": str(cache)}
    warm = [WARMUP, "lint", str(folder)]
    measure(warm, ok=(0, 1, 2), cwd=work, env=env)  # fills the cache
    second, first = paired(lambda: measure(warm, ok=(0, 1, 2), cwd=work, env=env),
                           lambda: measure(lint_cmd(folder), ok=(0, 1, 2), cwd=work), pairs)
    rows.append(ratio_row("a second `warmup lint` of the 5,000 unchanged files (the cache)",
                          "the first (`--no-cache`)", second, first, figure="CPU", most=0.1))
    return rows


def row_python(pairs: int, work: Path) -> list[Row]:
    ruff = shutil.which("ruff", path=str(BIN)) or shutil.which("ruff")
    if ruff is None:
        raise SystemExit("ruff is not installed (the test extra has it)")
    folder = python_set(work / "python500", 500)
    ours, theirs = paired(
        lambda: measure(lint_cmd(folder), ok=(0, 1, 2), cwd=work),
        lambda: measure([ruff, "check", "--no-cache", "--isolated", "--quiet", str(folder)],
                        ok=(0, 1), cwd=work), pairs)
    return [ratio_row("`warmup lint` over 500 Python files (corpus configs, training scripts)",
                      "`ruff check --no-cache --isolated`", ours, theirs, figure="CPU",
                      most=2.0)]


def _flake8() -> str:
    found = shutil.which("flake8", path=str(BIN)) or shutil.which("flake8")
    if found is None:
        raise SystemExit("flake8 is not installed: `make bench` installs it (the bench extra)")
    return found


def script_set(folder: Path, copies_each: int) -> Path:
    """``copies_each`` copies of each training-script shape: the fixtures of issue 9 (HF
    closures, partials, yolo flag branches, Lightning modules, GAN and accumulation loops,
    resume blocks, ReduceLROnPlateau) and the scripts above."""
    shapes = folder.parent / "script-shapes"
    shapes.mkdir(parents=True, exist_ok=True)
    for name, text in SCRIPTS.items():
        (shapes / name).write_text(text.lstrip())
    sources = sorted(shapes.iterdir()) + [FIXTURES / "scripts" / name for name in SCRIPT_SHAPES]
    return copies(folder, sources, copies_each * len(sources))


def row_scripts(pairs: int, work: Path) -> list[Row]:
    """Issue 9: `warmup lint DIR` over training scripts takes at most flake8 --select F."""
    flake8 = _flake8()
    folder = script_set(work / "scripts", SCRIPT_COPIES)
    count = sum(1 for _ in folder.rglob("*.py"))
    ours, theirs = paired(
        lambda: measure(lint_cmd(folder), ok=(0, 1, 2), cwd=work),
        lambda: measure([flake8, "--select", "F", "--isolated", str(folder)], ok=(0, 1),
                        cwd=work), pairs)
    return [ratio_row(f"`warmup lint` over {count:,} training scripts ({SCRIPT_COPIES} copies "
                      f"of {count // SCRIPT_COPIES} shapes)",
                      "`flake8 --select F --isolated` on the same files", ours, theirs,
                      figure="CPU", most=1.0),
            ratio_row("  (wall time)", "flake8, wall time", ours, theirs, figure="wall",
                      most=1.0)]


def row_compare(pairs: int, _: Path) -> list[Row]:
    schedules = ["linear:400 > cosine:40000", "noam:4000", "wsd:800,200"]
    three = [WARMUP, "compare", *schedules, "--steps", "40000", "--format", "csv"]
    one = [WARMUP, "show", schedules[0], "--steps", "40000", "--format", "csv"]
    ours, theirs = paired(lambda: measure(three), lambda: measure(one), pairs)
    return [ratio_row("`warmup compare` of 3 schedules (40,000 steps, csv)",
                      "`warmup show` of one of them", ours, theirs, figure="CPU", most=1.5,
                      goal="<= 1.5x (was 2.9x: one torch import per schedule)")]


def row_formats(pairs: int, work: Path) -> list[Row]:
    rows = []
    base = [WARMUP, "show", SPEC, "--steps", "500000", "--base", str(BASE), "--format"]
    for fmt in ("jsonl", "json"):
        command = [*base, fmt]
        ours, theirs = paired(lambda command=command: measure(command),
                              lambda: measure([*base, "csv"]), pairs)
        rows.append(ratio_row(f"`--format {fmt}`, 500,000 rows", "`--format csv`", ours,
                              theirs, figure="CPU", most=1.2, goal="~1x (<= 1.2x)"))
    return rows


def row_bulk(pairs: int, work: Path) -> list[Row]:
    script = work / "plain_lambdalr.py"
    script.write_text(PLAIN_SCRIPT)
    steps = 500_000
    ours_out, plain_out = work / "ours.csv", work / "plain.csv"

    def ours() -> Sample:
        with ours_out.open("wb") as handle:
            return measure([*[WARMUP, "show", SPEC, "--steps", str(steps), "--format", "csv",
                              "--base", str(BASE)]], stdout=handle.fileno())

    def plain() -> Sample:
        with plain_out.open("wb") as handle:
            return measure([PYTHON, str(script), str(steps)], stdout=handle.fileno())

    a, b = paired(ours, plain, pairs)
    ours_lr = [line.split(",")[2] for line in ours_out.read_text().splitlines()[1:]]
    plain_lr = [line.split(",")[1] for line in plain_out.read_text().splitlines()[1:]]
    if ours_lr != plain_lr:
        raise SystemExit("the LR columns of warmup and the plain LambdaLR script differ")
    return [ratio_row(f"`warmup show SPEC --steps {steps:,} --format csv` (LR column "
                      "byte-identical)", "a plain SGD + LambdaLR script writing the same CSV",
                      a, b, figure="CPU", least=4.0)]


def _tree_rss_kib(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in status.splitlines()
                     if line.startswith("VmRSS:"))
        stack.extend(int(child) for child in children)
    return total


def peak_tree_rss(cmd: list[str]) -> int:
    """Peak of the summed RSS of the whole process tree (KiB), sampled every 5 ms."""
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


def row_memory(pairs: int, _: Path) -> list[Row]:
    steps = 10_000_000
    above = []
    for _ in range(pairs):
        ours = peak_tree_rss([WARMUP, "show", SPEC, "--steps", str(steps), "--format", "csv"])
        torch = peak_tree_rss([PYTHON, "-c", "import torch"])
        above.append((ours - torch) / 1024)
    value = statistics.median(above)
    return [Row(f"peak RSS of `warmup show SPEC --steps {steps:,} --format csv`, whole tree",
                "`python -c 'import torch'`", "MB", value, "<= 100 MB above", value <= 100,
                "MiB above the anchor, median")]


ROWS: dict[str, Callable[[int, Path], list[Row]]] = {
    "show": row_show, "lint": row_lint, "lint5000": row_lint_5000, "python": row_python,
    "help": row_help, "compare": row_compare, "formats": row_formats, "bulk": row_bulk,
    "memory": row_memory, "scripts": row_scripts,
}


def render(rows: list[Row], markdown: bool) -> str:
    def figure(row: Row) -> str:
        return f"{row.value:.0f} MB" if row.figure == "MB" else f"{row.value:.2f}x {row.figure}"

    if markdown:
        lines = ["| work | anchor | measured | goal | met |", "|---|---|---|---|---|"]
        lines += [f"| {r.work} | {r.anchor} | {figure(r)} ({r.detail}) | {r.goal} | "
                  f"{'yes' if r.met else '**no**'} |" for r in rows]
        return "\n".join(lines)
    lines = []
    for r in rows:
        lines.append(f"{'ok ' if r.met else 'NO '} {figure(r):>12}  goal {r.goal:<22} "
                     f"{r.work}\n{'':17}vs {r.anchor}  ({r.detail})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="A/B pairs per figure (>= 5)")
    parser.add_argument("--only", action="append", choices=sorted(ROWS),
                        help="run only these rows (repeatable)")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args()
    if args.pairs < 5:
        parser.error("--pairs must be at least 5: a median of fewer pairs is not trusted")
    if not CORPUS.is_dir():
        raise SystemExit(f"the corpus is not at {CORPUS}")
    source = subprocess.run([WARMUP, "--version"], capture_output=True, text=True, env=ENV)
    print(f"{WARMUP} {source.stdout.strip()}, {os.cpu_count()} cores, {args.pairs} pairs")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="warmup-bench-") as tmp:
        for name in args.only or list(ROWS):
            print(f"measuring {name} ...", flush=True)
            found = ROWS[name](args.pairs, Path(tmp))
            print(render(found, False), flush=True)
            rows += found
    print()
    print(render(rows, args.markdown))


if __name__ == "__main__":
    main()
