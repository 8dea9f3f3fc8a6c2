"""The project as users install it: the built wheel in a fresh venv, and the GitHub Action.

The wheel test builds the wheel and sdist from this tree, installs the wheel alone into a new
venv (no torch: it is the `torch` extra) and runs the installed `warmup` command, which catches
missing package data, a broken entry point or a runtime import of torch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

from warmup_cli import __version__

ROOT = Path(__file__).resolve().parents[1]
ZERO_START = 'lr_lambda: "lambda e: e / 4"\n'
CLEAN = 'lr_lambda: "lambda e: min(1.0, (e + 1) / 4)"\n'


@pytest.fixture(scope="module")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # A copy of the tree without the venv and caches: the build reads only what is committed
    # in spirit (sources, README, pyproject), and never writes into the checkout.
    source = out / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "*.egg-info", "build", "dist", "__pycache__", ".*_cache", ".hypothesis"))
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                    str(source)], check=True, capture_output=True, text=True)
    return out


def _only(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def test_the_wheel_ships_the_package_its_type_hints_and_the_entry_point(dist_dir: Path) -> None:
    wheel = _only(dist_dir, "warmup_cli-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        entry_points = archive.read(
            next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert "warmup_cli/py.typed" in names
    assert "warmup_cli/cli/app.py" in names
    assert "warmup = warmup_cli.cli:main" in entry_points
    requires = [line for line in metadata.decode().splitlines()
                if line.startswith("Requires-Dist:")]
    # torch only behind its extra: a plain install never resolves it.
    torch_lines = [line for line in requires if line.split()[1].startswith("torch")]
    assert torch_lines and all("extra == \"torch\"" in line for line in torch_lines)


def test_the_sdist_holds_what_a_build_from_it_needs(dist_dir: Path) -> None:
    sdist = _only(dist_dir, "warmup_cli-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "warmup_cli/py.typed",
            "warmup_cli/__init__.py"} <= names


@pytest.fixture(scope="module")
def installed(dist_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(home, with_pip=True)
    wheel = _only(dist_dir, "warmup_cli-*.whl")
    # Without PYTHONPATH: a checkout on it (its warmup_cli.egg-info) would look installed.
    subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "-q",
                    "--disable-pip-version-check", str(wheel)], check=True,
                   capture_output=True, text=True, env=_clean_env())
    return home / "bin"


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bin_dir / "warmup"), *args], capture_output=True, text=True,
                          cwd=cwd, env={**_clean_env(), "COLUMNS": "100"}, timeout=120)


def test_a_plain_install_has_no_torch(installed: Path) -> None:
    probe = subprocess.run([str(installed / "python"), "-c",
                            "import importlib.util as u; print(u.find_spec('torch'))"],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "None"


def test_the_installed_command_reports_its_version(installed: Path, tmp_path: Path) -> None:
    done = _run(installed, "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert __version__ in done.stdout


def test_the_installed_command_lints_without_torch(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(ZERO_START)
    (tmp_path / "good.yaml").write_text(CLEAN)
    done = _run(installed, "lint", "bad.yaml", "good.yaml", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "bad.yaml:1:" in done.stdout and "WU101" in done.stdout
    assert "good.yaml" not in done.stdout
    assert "Traceback" not in done.stderr


def test_the_installed_command_shows_a_series_without_torch_and_says_so(
        installed: Path, tmp_path: Path) -> None:
    done = _run(installed, "show", "linear:4,base=0.1", "-n", "6", "--format", "csv",
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    assert rows[0].startswith("epoch,")
    assert len(rows) == 7
    assert "not checked against torch" in done.stderr
    assert "warmup-cli[torch]" in done.stderr


ACTION = ROOT / "action.yml"
SCRIPT = ROOT / "tools" / "github_action.sh"


def test_the_action_is_a_composite_that_installs_without_torch_and_runs_the_script() -> None:
    action = yaml.safe_load(ACTION.read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "fail-on", "args"}
    runs = [step["run"] for step in action["runs"]["steps"]]
    assert any("pip install" in run and "[torch]" not in run for run in runs)
    assert any("tools/github_action.sh" in run for run in runs)
    # Inputs reach the script as environment variables, never spliced into shell text.
    assert all("${{" not in run for run in runs)


def _action(tmp_path: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           **{f"INPUT_{key.upper()}": value for key, value in inputs.items()}}
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=120)


def test_the_action_script_annotates_findings_and_fails(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "bad.yaml").write_text(ZERO_START)
    (tmp_path / "good.yaml").write_text(CLEAN)
    done = _action(tmp_path, paths="configs good.yaml")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(line.startswith("::") for line in lines)
    assert any(line.startswith("::error title=warmup (WU101),file=configs/bad.yaml,line=1")
               for line in lines)


def test_the_action_script_passes_fail_on_and_args(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(ZERO_START)
    ignored = _action(tmp_path, paths="bad.yaml", args="--ignore WU101,WU102")
    assert ignored.returncode == 0, ignored.stdout + ignored.stderr
    assert ignored.stdout == ""


def test_the_action_script_runs_nothing_it_is_given(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(ZERO_START)
    marker = tmp_path / "marker"
    done = _action(tmp_path, paths=f"bad.yaml $(touch {marker}) *", args=f"`touch {marker}`")
    assert not marker.exists()
    assert done.returncode == 2  # the unexpected words are unreadable targets or options
