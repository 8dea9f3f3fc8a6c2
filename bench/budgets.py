"""CPU time and peak memory of `warmup lint` on hostile files and on files just within the
budgets (README, "Security"): each should finish in under 2 s of CPU and 300 MB, refused
with a WU001 naming a budget or linted.

    .venv/bin/python bench/budgets.py          # every case
    .venv/bin/python bench/budgets.py toml     # the cases whose name contains "toml"

Each case runs in its own process (`python -m warmup_cli lint FILE`); its CPU time and peak
RSS come from `wait4`. Nothing is asserted: the numbers are printed, one line per case.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

CPU_TARGET_S = 2.0
RSS_TARGET_MB = 300


def _heavy_lambda(k: int) -> str:
    """One of the costliest lambdas the sandbox allows: 4,000-bit integer divisions."""
    terms = ["(((1<<4000)+e)//((1<<2000)+e))"] * 16
    while len(terms) > 1:
        terms = [f"({a}+{b})" for a, b in zip(terms[::2], terms[1::2], strict=True)]
    return f"lambda e: {terms[0]} and {k}/(e+{k})"


LAUGHS = 'a: &a "lambda e: min(1, (e+1)/10)"\n' + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 10)}]\n" for a, b in zip("abcde", "bcdef", strict=True))

CASES: dict[str, Callable[[], str]] = {
    # issue 14's hostile files
    "toml-header-6kb.toml": lambda: "[" + ".".join(["a"] * 3000) + "]\nx = 1\n",
    "toml-dotted-key-200kb.toml": lambda: ".".join(["a"] * 100_000) + " = 1\n",
    "toml-array-2.4M.toml": lambda: "x = [" + ",".join(["1"] * 2_400_000) + "]\n",
    "python-sum-2.4M.py": lambda: "x = " + "+".join(["1"] * 2_400_000) + "\n",
    "python-assignments-350k.py": lambda: "".join(f"a{i}=1\n" for i in range(350_000)),
    "python-one-line-dict-1.5MB.py":
        lambda: "x = {" + ",".join(f"'é{i}':1" for i in range(150_000)) + "}\n",
    "yaml-laughs-361b.yaml": lambda: LAUGHS,
    "yaml-100-heavy-lambdas.yaml":
        lambda: "s:\n" + "".join(f'  - "{_heavy_lambda(i)}"\n' for i in range(1, 101)),
    "json-objects-5MB.json": lambda: "[" + ",".join(["{}"] * 1_700_000) + "]\n",
    "yaml-one-5MB-string.yaml": lambda: 'a: "' + "#" * (5 * 2**20 - 20) + '"\n',
    # just within the budgets
    "yaml-map-133k.yaml": lambda: "".join(f"a{i}: 1\n" for i in range(133_000)),
    "yaml-list-199k.yaml": lambda: "x:\n" + "- 1\n" * 199_000,
    "toml-keys-133k.toml": lambda: "".join(f"a{i}=1\n" for i in range(133_000)),
    "python-assignments-66k.py": lambda: "".join(f"a{i}=1\n" for i in range(66_000)),
    "yaml-256-lambdas.yaml": lambda: "s:\n" + "".join(
        f'  - "lambda e: min(1, (e+1)/{i})"\n' for i in range(1, 257)),
}


def measure(path: Path) -> tuple[float, float, str]:
    """(CPU seconds, peak RSS in MB, the last line of the output) of linting ``path``."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    process = subprocess.Popen([sys.executable, "-m", "warmup_cli", "lint", str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _, _, usage = os.wait4(process.pid, 0)
    lines = [line for line in output.splitlines() if line.strip()]
    finding = next((line for line in lines if "WU001" in line), lines[-1] if lines else "")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, finding


def write(directory: Path, selected: list[str]) -> None:
    for name, make in CASES.items():
        if not selected or any(word in name for word in selected):
            (directory / name).write_text(make(), encoding="utf-8")


def main(selected: list[str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        # The files are made in another process: a child forked from a big parent would count
        # the parent's pages in its peak RSS.
        subprocess.run([sys.executable, __file__, "--write", directory, *selected], check=True)
        for path in sorted(Path(directory).iterdir(), key=lambda p: list(CASES).index(p.name)):
            cpu, rss, finding = measure(path)
            within = cpu < CPU_TARGET_S and rss < RSS_TARGET_MB
            shown = finding.replace(str(path), "")[:110]
            print(f"{'ok  ' if within else 'SLOW'} {path.name:32} {cpu:5.2f} s {rss:6.0f} MB  "
                  f"{shown}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        write(Path(sys.argv[2]), sys.argv[3:])
    else:
        main(sys.argv[1:])
