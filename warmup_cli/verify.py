"""Every shown series is checked against the real thing that computes it, where one is at hand,
and says what it was checked against (:func:`against`), never more.

* A spec or a lambda (and a framework plan that multiplies a base LR by a factor function, as
  transformers' LambdaLR does) is checked against a real LambdaLR. Short series are stepped
  through LambdaLR update by update. Long ones (the bulk path) are computed with the factor
  function alone and checked on a sample that always holds the first and last update and both
  sides of every milestone: LambdaLR costs ~7 µs a step, the factor function well under that.
* A framework plan that computes the LR itself (``Plan.lr_fn``) is checked at run time only
  when the real class is at hand (``Origin.real``: torch's own scheduler, stepped). Otherwise
  its formula is transcribed from a cited upstream file and verified against the real library
  in the test suite: a LambdaLR check would only prove a multiplication, so none is claimed.

A mismatch is an error, never silent.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from warmup_cli.errors import EXIT_INTERNAL, WarmupError
from warmup_cli.schedule import Origin, Plan, RealLrs
from warmup_cli.series import View, lrs_at, schedule_milestones

FULL_CHECK_LIMIT = 20_000  # up to this many updates, LambdaLR is stepped through all of them
SPREAD_SAMPLES = 200


class MismatchError(WarmupError):
    """warmup_cli's series and torch's LambdaLR disagree: a bug, never hidden."""


# torch is the `torch` extra: a plain install (pre-commit, CI) lints without it, and `show`
# then computes the series alone and says so instead of claiming a check.
TORCH_MISSING = ("the series was not checked against torch: torch is not installed "
                 "(pip install 'warmup-cli[torch]' to check every series)")
LAMBDALR = "torch's LambdaLR"
SAMPLED = "first, last, every milestone and an even spread"


def torch_available() -> bool:
    """Whether torch can be imported, found without importing it."""
    if sys.modules.get("torch") is not None:
        return True
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):  # ValueError: a module entry of None blocks the import
        return False


@dataclass(frozen=True)
class Verification:
    checked: int  # updates compared with the real thing (``against``)
    total: int  # distinct updates in the view
    against: str = LAMBDALR  # what they were compared with ("" when nothing at run time)
    sample: str = SAMPLED  # which updates, when not all of them
    source: str = ""  # what computed the LRs and what verified that code, when not LambdaLR
    torch_missing: bool = False  # nothing was checked: torch is not installed

    def describe(self) -> str:
        if self.torch_missing:
            return TORCH_MISSING
        if not self.against:
            return f"{self.total:,} updates {self.source}"
        if self.checked >= self.total:
            text = f"all {self.total:,} updates checked against {self.against}"
        else:
            text = (f"{self.checked:,} of {self.total:,} updates ({self.sample}) checked "
                    f"against {self.against}")
        return f"{text}; {self.source}" if self.source else text


def _origin_text(origin: Origin) -> str:
    """``WHAT from FILE, verified against X in the test suite``."""
    verified = (f"verified against {origin.verified} in the test suite" if origin.verified
                else "not verified against the real library")
    cited = f"from {origin.cites}" if origin.cites else "(no upstream file cited)"
    return f"{origin.what} {cited}, {verified}"


def against(plan: Plan) -> tuple[str, str]:
    """What ``plan``'s series is checked against at run time ("" for nothing) and what to say
    about the code that computed it (see :class:`Verification`)."""
    origin = plan.origin
    if plan.rescaled_from is not None and origin is not None:
        return LAMBDALR, (f"--base rescales the LRs of {origin.what} (base x LR / "
                          f"{plan.rescaled_from!r}), which is not the framework's own "
                          "arithmetic")
    if plan.lr_fn is None:
        if origin is None:
            return LAMBDALR, ""
        return LAMBDALR, "the factor is " + _origin_text(origin)
    assert origin is not None, "a plan with its own LR function names its origin"
    if origin.torch_class and origin.real is not None:
        return f"torch's real {origin.torch_class}, stepped", (
            "computed with " + _origin_text(origin))
    if origin.torch_class:
        return "", f"computed by stepping torch's real {origin.torch_class} ({origin.cites})"
    return "", f"computed with {_origin_text(origin)}; not checked at run time"


def sample_updates(plan: Plan, first: int, last: int) -> list[int]:
    picked = {first, last}
    for mark in schedule_milestones(plan):
        picked.update(s for s in (mark.step - 1, mark.step, mark.step + 1) if first <= s <= last)
    span = last - first
    picked.update(first + span * i // SPREAD_SAMPLES for i in range(SPREAD_SAMPLES + 1))
    return sorted(picked)


def compare(plan: Plan, torch_lrs: Iterable[tuple[int, tuple[float, ...]]]) -> int:
    checked = 0
    for update, expected in torch_lrs:
        ours = lrs_at(plan, update)[1:]
        if ours != expected:
            raise MismatchError(
                f"internal error: at update {update} warmup_cli computed {ours} but torch's "
                f"LambdaLR set {expected}",
                hint="please report this with the schedule you used",
                exit_code=EXIT_INTERNAL,
            )
        checked += 1
    return checked


def verify(plan: Plan, view: View) -> Verification:
    """Check the view's updates against what computes them for real (see :func:`against`);
    raises EvaluationError/MismatchError."""
    updates = view.updates()
    first, last = updates[0], updates[-1]
    # Evaluate our side first: a failing lambda is reported with its step, not as torch's error.
    for update in (first, last):
        lrs_at(plan, update)
    what, source = against(plan)
    if plan.lr_fn is not None:
        if not what:
            return Verification(0, len(updates), "", source=source)
        assert plan.origin is not None and plan.origin.real is not None
        checked, sample = compare_real(plan, plan.origin.real, updates, what)
        return Verification(checked, len(updates), what, sample, source)
    checked = _lambdalr_check(plan, updates, first, last)
    return Verification(checked, len(updates), what, source=source)


REAL_CHECK_LIMIT = 200_000  # most updates a real chainable class is stepped through


def compare_real(plan: Plan, real: RealLrs, updates: Sequence[int], what: str
                 ) -> tuple[int, str]:
    """Compare the plan's LRs with the real class stepped from update 0 (a chainable scheduler
    cannot be positioned at an update without stepping there): every update of the view up to
    REAL_CHECK_LIMIT. Returns the count checked and which updates those are."""
    wanted = [u for u in updates if u < REAL_CHECK_LIMIT]
    stepped = real(wanted[-1] + 1) if wanted else []
    checked = 0
    for update in wanted:
        ours, theirs = lrs_at(plan, update)[1:], (stepped[update],)
        if ours != theirs:
            raise MismatchError(
                f"internal error: at update {update} warmup_cli computed {ours} but {what} "
                f"set {theirs}", hint="please report this with the schedule you used",
                exit_code=EXIT_INTERNAL)
        checked += 1
    return checked, f"the first {REAL_CHECK_LIMIT:,}"


def _lambdalr_check(plan: Plan, updates: Sequence[int], first: int, last: int) -> int:
    from warmup_cli.torch_adapter import lambdalr_at, lambdalr_lrs

    span = last - first + 1
    if span <= FULL_CHECK_LIMIT:
        stepped = lambdalr_lrs(plan, span, start=first)
        wanted = set(updates)
        pairs = [(first + i, lrs) for i, lrs in enumerate(stepped) if first + i in wanted]
        return compare(plan, pairs)
    samples = sample_updates(plan, first, last)
    return compare(plan, lambdalr_at(plan, samples).items())


@dataclass(frozen=True)
class ResumeCheck:
    start: int
    matches: bool
    compared: int
    restart_lrs: tuple[float, ...]  # what update `start` gets if LambdaLR is rebuilt from scratch
    resumed_lrs: tuple[float, ...]

    def describe(self) -> str:
        verdict = ("matches the uninterrupted run" if self.matches
                   else "DIFFERS from the uninterrupted run")
        text = (f"resumed at update {self.start:,} (LambdaLR rebuilt with "
                f"last_epoch={self.start - 1:,} and initial_lr): {verdict} "
                f"({self.compared:,} updates compared)")
        if self.restart_lrs != self.resumed_lrs:
            text += (f"; rebuilt without last_epoch it would restart the schedule: lr "
                     f"{', '.join(map(repr, self.restart_lrs))} instead of "
                     f"{', '.join(map(repr, self.resumed_lrs))} at update {self.start:,}")
        return text


def check_resume(plan: Plan, start: int, count: int) -> ResumeCheck:
    """Compare a LambdaLR rebuilt at ``start`` with one stepped from 0 without interruption
    (for a framework plan with its own LR function: a LambdaLR over its factor column)."""
    from warmup_cli.torch_adapter import lambdalr_at, lambdalr_lrs

    plan = replace(plan, lr_fns=None)
    end = start + count
    if end <= FULL_CHECK_LIMIT:
        uninterrupted = lambdalr_lrs(plan, end)[start:]
        resumed = lambdalr_lrs(plan, count, start=start)
        pairs = list(zip(uninterrupted, resumed, strict=True))
    else:
        samples = sample_updates(plan, start, end - 1)
        rebuilt = lambdalr_at(plan, samples)
        pairs = [(lrs_at(plan, s)[1:], rebuilt[s]) for s in samples]
    return ResumeCheck(
        start=start,
        matches=all(a == b for a, b in pairs),
        compared=len(pairs),
        restart_lrs=lambdalr_lrs(plan, 1)[0],
        resumed_lrs=pairs[0][1],
    )


class PendingVerification:
    """A verification that may still be running in a child process.

    Long series are checked on a sample in a forked child while the parent streams the rows:
    importing torch costs about a second, and on two cores that cost then overlaps the output
    instead of preceding it. The parent never imports torch on this path. Short series are
    checked at once. :meth:`together` checks several plans over one view (``compare``) in one
    child, so torch is imported once, not once per schedule.
    """

    def __init__(self, plan: Plan, view: View) -> None:
        self._done: Verification | None = None
        self._child: _Child | None = None
        self._index = 0
        checked_by = against(plan)[0]
        if checked_by and not torch_available():
            self._done = Verification(0, len(view.updates()), checked_by, torch_missing=True)
        elif _checked_now([plan], view):
            self._done = verify(plan, view)
        else:
            self._child = _Child([plan], view)

    @classmethod
    def together(cls, plans: Sequence[Plan], view: View) -> list[PendingVerification]:
        """One pending verification per plan, all answered by one child process (or checked
        now, one after the other, when the series are short)."""
        if _checked_now(plans, view):
            return [cls(plan, view) for plan in plans]
        child = _Child(plans, view)
        pending = []
        for index in range(len(plans)):
            waiting = cls.__new__(cls)
            waiting._done, waiting._child, waiting._index = None, child, index
            pending.append(waiting)
        return pending

    def result(self) -> Verification:
        if self._done is not None:
            return self._done
        assert self._child is not None
        outcome = self._child.outcome(self._index)
        if outcome[0] == "ok":
            done: Verification = outcome[1]
            self._done = done
            return done
        raise (MismatchError if outcome[0] == "mismatch" else WarmupError)(
            outcome[1], exit_code=outcome[2])


def _checked_now(plans: Sequence[Plan], view: View) -> bool:
    """Whether to check now, in this process: a short series, torch already imported or not
    installed, or only framework formulas with nothing real at hand (torch checks none)."""
    return len(view.updates()) <= FULL_CHECK_LIMIT or "torch" in sys.modules \
        or not torch_available() \
        or all(plan.lr_fn is not None and not against(plan)[0] for plan in plans)


Outcome = tuple[Any, ...]  # ("ok", Verification) or (kind, rendered error, exit code)


class _Child:
    """A forked process that verifies several plans over one view and answers once, with one
    outcome per plan (a failure of one plan never hides the others' outcomes)."""

    def __init__(self, plans: Sequence[Plan], view: View) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._count = len(plans)
        self._outcomes: list[Outcome] | None = None
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_verify_child, args=(list(plans), view, sender),
                                        daemon=True)
        self._process.start()
        sender.close()

    def outcome(self, index: int) -> Outcome:
        if self._outcomes is None:
            try:
                self._outcomes = self._receiver.recv()
            except EOFError:
                self._outcomes = [("error", "the verification process ended without an answer",
                                   EXIT_INTERNAL)] * self._count
            self._process.join()
        return self._outcomes[index]


def _verify_child(plans: list[Plan], view: View, sender: Any) -> None:
    try:
        sender.send([_outcome(plan, view) for plan in plans])
    finally:
        sender.close()


def _outcome(plan: Plan, view: View) -> Outcome:
    try:
        return ("ok", verify(plan, view))
    except MismatchError as error:
        return ("mismatch", error.render(), error.exit_code)
    except WarmupError as error:
        return ("error", error.render(), error.exit_code)
    except BaseException as error:  # the parent must hear about anything, then exit cleanly
        return ("error", f"verification failed: {error!r}", EXIT_INTERNAL)
