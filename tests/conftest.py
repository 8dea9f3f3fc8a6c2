from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import FrameworkSchedule
from warmup_cli.lint.diagnostics import Diagnostic
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.vocab import NO_FACTS, RunFacts

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SCHEMAS = ROOT.parent / "shared" / "schemas"
WARMUP = Path(sys.executable).parent / "warmup"
GOLDEN = ROOT / "tests" / "golden"
FRAMEWORK_FIXTURES = ROOT / "tests" / "fixtures" / "frameworks"
GOLDEN_TOOLS = ROOT / "tools" / "golden"

# The lint results cache (lint/cache.py) is off for the suite, in this process and in the
# commands it runs: a test that replaces a reader or a check must see it run, not a result kept
# from an earlier test. tests/test_lint_cache.py turns it on where it tests it.
os.environ.setdefault("WARMUP_NO_CACHE", "1")

# --- hypothesis (tests/fuzz) ------------------------------------------------------------------
# "ci" (the default, `make test`): few examples, the same ones on every run. "fuzz" (`make
# fuzz`): fresh random examples until the time WARMUP_FUZZ_SECONDS gives is used up. The
# deadline is the wall-clock net per example; the 2 s CPU budget is enforced inside the
# tests (tests/fuzz/support.py), which also says where the time went.
_FUZZ = settings(deadline=10_000, database=None, print_blob=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", _FUZZ, max_examples=40, derandomize=True)
settings.register_profile("fuzz", _FUZZ, max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")


@pytest.fixture
def plain_env() -> dict[str, str]:
    """An environment for subprocess runs: no colour forcing from the caller's terminal."""
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "NO_COLOR",
                                                             "TTY_COMPATIBLE", "COLUMNS"}}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


# --- framework readers ----------------------------------------------------------------------


def read_schedules(reader: ModuleType, path: Path | str, text: str | None = None, *,
                   facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """``reader.read`` of the config at ``path`` (or of ``text``, named ``path``), which
    ``reader.detect`` must recognise, with the run facts ``facts``."""
    doc = load_document(path, text=text)
    assert reader.detect(doc), path
    return reader.read(doc, facts)  # type: ignore[no-any-return]


def read_one(reader: ModuleType, path: Path | str, text: str | None = None, *,
             facts: RunFacts = NO_FACTS) -> FrameworkSchedule:
    """The one schedule ``reader`` finds in the config (see :func:`read_schedules`)."""
    found = read_schedules(reader, path, text, facts=facts)
    assert len(found) == 1, found
    return found[0]


def finding_codes(schedule: FrameworkSchedule) -> list[str]:
    return [f.code for f in schedule.findings]


def assert_rejected(reader: ModuleType, name: str, text: str, needle: str) -> None:
    """``reader`` gives the config ``text`` no plan, and one reason why mentions ``needle``."""
    (schedule,) = reader.read(load_document(name, text=text))
    assert schedule.plan is None
    assert any(needle in why for _, why in schedule.unresolved)


# --- golden series --------------------------------------------------------------------------


def golden_cases(name: str) -> list[dict[str, Any]]:
    """The cases of tests/golden/``name`` (the files the golden scripts write as one list)."""
    return json.loads((GOLDEN / name).read_text())["cases"]  # type: ignore[no-any-return]


def assert_matches_lrs(schedule: FrameworkSchedule, lrs: Sequence[float],
                       steps: Sequence[int] | None = None) -> None:
    """The schedule's LR at each of ``steps`` (0, 1, ... by default) is the golden one, bit for
    bit (``==``: the framework's own float operations give its own numbers)."""
    assert schedule.plan is not None, (schedule.unresolved, schedule.findings)
    plan = schedule.plan
    have = [plan.lrs(step)[0] for step in (steps or range(len(lrs)))]
    assert len(have) == len(lrs)
    wrong = [(step, got, want) for step, got, want in
             zip(steps or range(len(lrs)), have, lrs, strict=True) if got != want]
    assert not wrong, f"{len(wrong)} of {len(lrs)} LRs differ (step, got, want): {wrong[:5]}"


def load_golden_script(name: str) -> ModuleType:
    """tools/golden/``name``.py as a module (its ``documents()`` are the files it writes)."""
    if str(GOLDEN_TOOLS) not in sys.path:
        sys.path.insert(0, str(GOLDEN_TOOLS))  # the scripts import their neighbour _common
    spec = importlib.util.spec_from_file_location(name, GOLDEN_TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --- lint -----------------------------------------------------------------------------------


def lint_file(tmp_path: Path, text: str, name: str = "config.yaml", *,
              settings: Settings | None = None) -> list[Diagnostic]:
    """The diagnostics of ``warmup lint`` on ``text`` written to ``tmp_path / name``."""
    path = tmp_path / name
    path.write_text(text)
    return lint([str(path)], settings or Settings()).diagnostics


def codes_of(found: list[Diagnostic]) -> list[str]:
    return [d.code for d in found]


def only_code(found: list[Diagnostic], code: str) -> Diagnostic:
    """The one diagnostic with ``code`` among ``found``."""
    hits = [d for d in found if d.code == code]
    assert len(hits) == 1, found
    return hits[0]


# --- timm ---------------------------------------------------------------------------------------


def timm_scheduler() -> ModuleType:
    """timm's ``timm.scheduler`` without ``timm/__init__`` (which imports torchvision, not
    installed here; the scheduler modules need torch only). One stub package serves the whole
    session, so every test file imports the same modules whatever order the tests run in."""
    if sys.modules.get("timm") is None:
        spec = importlib.util.find_spec("timm")
        assert spec is not None and spec.submodule_search_locations is not None
        package = ModuleType("timm")
        package.__path__ = list(spec.submodule_search_locations)
        package.__spec__ = spec  # later find_spec("timm") calls see a real spec
        sys.modules["timm"] = package
    return importlib.import_module("timm.scheduler")
