"""What the golden scripts share: where golden files go and how they are written (or checked),
fetching the real packages with pip, and loading their modules from files.

The scripts run from the repository root (``python tools/golden/NAME.py``), which puts this
folder first on ``sys.path``; the tests that load a script put it there too.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import subprocess
import sys
import tempfile
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"


def golden_json(payload: Any) -> str:
    """The text of a golden file: ``payload`` as JSON, one space of indent, a final newline."""
    return json.dumps(payload, indent=1) + "\n"


def write_documents(documents: dict[str, str], check: bool) -> int:
    """Write every golden file (name -> text) to tests/golden, or with ``check`` only compare
    them with what is there; 1 (after naming them) when some are stale, else 0."""
    stale = []
    for name, text in documents.items():
        path = GOLDEN / name
        if check:
            if not path.is_file() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print("stale golden files: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


def write_cases(out: Path, script: str, cases: list[dict[str, Any]]) -> None:
    """Write ``cases`` to ``out`` as one golden file whose source is the script ``script``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    source = f"tools/golden/{Path(script).name}"
    out.write_text(golden_json({"source": source, "cases": cases}))
    print(f"wrote {len(cases)} cases to {out.relative_to(REPO)}")


def pip_download(dest: Path, *requirements: str, wheels_only: bool = False) -> None:
    """``pip download --no-deps`` of ``requirements`` into ``dest`` (no sdists with
    ``wheels_only``)."""
    binary = ["--only-binary", ":all:"] if wheels_only else []
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", *binary, "-d",
                    str(dest), *requirements], check=True, capture_output=True)


@contextlib.contextmanager
def sources(doc: str, what: str, fetch: Callable[[Path], Path]) -> Iterator[Path]:
    """The folder of the real sources for the length of the ``with`` block: the one named by
    ``--src`` (``what`` it holds), else ``fetch`` of a temporary folder. ``doc`` is the script's
    docstring, whose first line describes it on ``--help``."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--src", type=Path, help=what)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        yield args.src or fetch(Path(tmp))


def load_module(name: str, path: Path, register: bool = False) -> types.ModuleType:
    """The module in the file ``path``, executed as ``name`` (entered in ``sys.modules`` first
    with ``register``, for modules that others import by that name)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def stub_module(name: str, **attrs: Any) -> types.ModuleType:
    """A stand-in module ``name`` holding ``attrs``, entered in ``sys.modules``."""
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module
