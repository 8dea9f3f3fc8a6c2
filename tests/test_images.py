"""--plot-file (SVG/PNG charts through matplotlib) and the Mermaid chart of
--format markdown --plot."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmup_cli.cli.app import app
from warmup_cli.errors import EXIT_OK, EXIT_USAGE

SPEC = "linear:10 > cosine:90,base=3e-4"
SVG = "{http://www.w3.org/2000/svg}"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _csv(*args: str) -> list[tuple[int, float]]:
    code, out, err = run(*args, "--format", "csv")
    assert code == EXIT_OK, err
    header, *rows = out.splitlines()
    lr = header.split(",").index("lr")
    return [(int(r.split(",")[0]), float(r.split(",")[lr])) for r in rows]


def _vertices(svg: Path, gid: str) -> list[tuple[float, float]]:
    root = ET.parse(svg).getroot()
    group = next(g for g in root.iter(f"{SVG}g") if g.get("id") == gid)
    path = next(group.iter(f"{SVG}path")).get("d", "")
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    return list(zip(numbers[0::2], numbers[1::2], strict=True))


def _texts(svg: Path) -> list[str]:
    return [t.text or "" for t in ET.parse(svg).getroot().iter(f"{SVG}text")]


def _assert_affine(points: list[tuple[float, float]], data: list[tuple[int, float]]) -> None:
    """The drawn vertices are the data through one affine map per axis (the plot transform),
    checked to the SVG's printed precision: every point of the series is in the file."""
    assert len(points) == len(data)
    (x0, y0), (x1, y1) = data[0], max(data, key=lambda d: d[1])
    (u0, v0), (u1, v1) = points[0], points[data.index((x1, y1))]
    for (x, y), (u, v) in zip(data, points, strict=True):
        assert u == pytest.approx(u0 + (x - x0) * (u1 - u0) / (x1 - x0), abs=1e-3)
        assert v == pytest.approx(v0 + (y - y0) * (v1 - v0) / (y1 - y0), abs=1e-3)


def test_the_svg_holds_every_point_the_title_and_labelled_axes(tmp_path: Path) -> None:
    image = tmp_path / "lr.svg"
    code, out, err = run("show", SPEC, "--format", "csv", "--plot-file", str(image))
    assert code == EXIT_OK, err
    assert out.startswith("epoch,")  # the series still goes to stdout
    _assert_affine(_vertices(image, "lr-0"), _csv("show", SPEC))
    texts = _texts(image)
    assert SPEC in texts and "epoch" in texts and "lr" in texts
    assert any("end of warmup" in t for t in texts)  # the phase boundary is marked


def test_log_y_is_honoured_and_lr_0_is_left_out(tmp_path: Path) -> None:
    image = tmp_path / "log.svg"
    spec = "linear:4 > cosine:6,base=0.1"
    code, _, err = run("show", spec, "-n", "12", "--log-y", "--plot-file", str(image),
                       "--format", "csv")
    assert code == EXIT_OK, err
    data = [(x, y) for x, y in _csv("show", spec, "-n", "12") if y > 0]
    assert len(data) < 12
    # On a log axis the drawn height is affine in log10(lr), not in lr.
    _assert_affine(_vertices(image, "lr-0"), [(x, math.log10(y)) for x, y in data])


def test_compare_draws_one_line_per_schedule_and_a_legend(tmp_path: Path) -> None:
    image = tmp_path / "cmp.svg"
    other = "linear:20 > cosine:80,base=3e-4"
    code, _, err = run("compare", SPEC, other, "-n", "100", "--format", "csv",
                       "--plot-file", str(image))
    assert code == EXIT_OK, err
    _assert_affine(_vertices(image, "lr-0"), _csv("show", SPEC, "-n", "100"))
    _assert_affine(_vertices(image, "lr-1"), _csv("show", other, "-n", "100"))
    assert {SPEC, other} <= set(_texts(image))


def test_a_png_is_a_real_image(tmp_path: Path) -> None:
    import matplotlib.image

    image = tmp_path / "lr.png"
    code, _, err = run("show", SPEC, "--plot-file", str(image), "--format", "csv")
    assert code == EXIT_OK, err
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = matplotlib.image.imread(image)
    assert pixels.shape[0] > 300 and pixels.shape[1] > 600
    assert pixels.std() > 0  # not a blank canvas


def test_an_unknown_suffix_fails_before_any_output(tmp_path: Path) -> None:
    code, out, err = run("show", SPEC, "--format", "csv", "--plot-file",
                         str(tmp_path / "lr.jpg"))
    assert code == EXIT_USAGE and out == ""
    assert "must end in .svg or .png" in err


def test_without_matplotlib_the_message_says_how_to_install_it(tmp_path: Path) -> None:
    probe = ("import sys; sys.modules['matplotlib'] = None; from warmup_cli.cli import main; "
             f"sys.argv = ['warmup', 'show', {SPEC!r}, '-f', 'csv', '--plot-file', "
             f"{str(tmp_path / 'lr.svg')!r}]; main()")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == EXIT_USAGE
    assert "pip install 'warmup-cli[plot]'" in done.stderr and "Traceback" not in done.stderr


def _mermaid(out: str) -> list[str]:
    block = out.split("```mermaid\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


def test_markdown_with_plot_adds_a_mermaid_chart_of_the_same_numbers() -> None:
    code, out, err = run("show", "linear:4,base=0.1", "-n", "6", "--format", "markdown",
                         "--plot")
    assert code == EXIT_OK, err
    lines = _mermaid(out)
    assert lines[0] == "xychart-beta"
    assert lines[1] == '    title "linear:4,base=0.1"'
    assert lines[2] == '    x-axis "epoch" [0, 1, 2, 3, 4, 5]'
    values = [float(v) for v in lines[4].split("[", 1)[1].rstrip("]").split(", ")]
    assert values == [lr for _, lr in _csv("show", "linear:4,base=0.1", "-n", "6")]
    # Without --plot the markdown is the table alone.
    assert "mermaid" not in run("show", "linear:4", "-n", "6", "--format", "markdown")[1]


def test_a_long_run_is_sampled_with_its_ends_and_boundaries() -> None:
    spec = "linear:500 > cosine:9500,base=3e-4"
    code, out, err = run("compare", spec, "linear:1000 > cosine:9000,base=3e-4", "--steps",
                         "10000", "--format", "markdown", "--plot")
    assert code == EXIT_OK, err
    lines = _mermaid(out)
    rows = [int(r) for r in lines[2].split("[", 1)[1].rstrip("]").split(", ")]
    assert len(rows) <= 60 and rows[0] == 0 and rows[-1] == 9999
    assert {499, 500} <= set(rows)
    series = dict(_csv("show", spec, "--steps", "10000"))
    first_line = [float(v) for v in lines[4].split("[", 1)[1].rstrip("]").split(", ")]
    assert first_line == [series[r] for r in rows]
    assert len([line for line in lines if line.startswith("    line [")]) == 2
