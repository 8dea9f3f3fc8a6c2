"""Every shown series is checked against a real LambdaLR before anyone sees it.

Short series are stepped through LambdaLR update by update. Long ones (the bulk path) are
computed with the factor function alone and checked on a sample that always holds the first
and last update and both sides of every milestone: LambdaLR costs ~7 µs a step, the factor
function well under that. A mismatch is an error, never silent.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from warmup_cli.errors import EXIT_INTERNAL, WarmupError
from warmup_cli.schedule import Plan
from warmup_cli.series import View, lrs_at, schedule_milestones

FULL_CHECK_LIMIT = 20_000  # up to this many updates, LambdaLR is stepped through all of them
SPREAD_SAMPLES = 200


class MismatchError(WarmupError):
    """warmup_cli's series and torch's LambdaLR disagree: a bug, never hidden."""


@dataclass(frozen=True)
class Verification:
    checked: int  # updates compared with a real LambdaLR
    total: int  # distinct updates in the view
    stepped_by: str | None = None  # the torch class that gave the LRs themselves (Plan.exact)

    def describe(self) -> str:
        if self.stepped_by is not None:
            return f"all {self.total:,} updates are the LRs {self.stepped_by} set, stepped " \
                "for real"
        if self.checked >= self.total:
            return f"all {self.total:,} updates checked against torch's LambdaLR"
        return (f"{self.checked:,} of {self.total:,} updates (first, last, every milestone and "
                f"an even spread) checked against torch's LambdaLR")


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
    """Check the view's updates against a real LambdaLR; raises EvaluationError/MismatchError."""
    from warmup_cli.torch_adapter import lambdalr_at, lambdalr_lrs

    updates = view.updates()
    if plan.exact is not None:  # the LRs are torch's own: nothing to recompute them from
        return Verification(len(updates), len(updates), plan.exact.label)
    first, last = updates[0], updates[-1]
    # Evaluate our side first: a failing lambda is reported with its step, not as torch's error.
    for update in (first, last):
        lrs_at(plan, update)
    span = last - first + 1
    if span <= FULL_CHECK_LIMIT:
        stepped = lambdalr_lrs(plan, span, start=first)
        wanted = set(updates)
        pairs = [(first + i, lrs) for i, lrs in enumerate(stepped) if first + i in wanted]
        return Verification(compare(plan, pairs), len(updates))
    samples = sample_updates(plan, first, last)
    return Verification(compare(plan, lambdalr_at(plan, samples).items()), len(updates))


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
    """Compare a LambdaLR rebuilt at ``start`` with one stepped from 0 without interruption."""
    from warmup_cli.torch_adapter import lambdalr_at, lambdalr_lrs

    if plan.exact is not None:
        raise WarmupError(f"--resume-from rebuilds a LambdaLR; this schedule is "
                          f"{plan.exact.label}", hint="drop --resume-from")
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
    importing torch and building its optimizer costs seconds (``torch._dynamo`` loads on the
    first optimizer), and on two cores that cost then overlaps the output instead of preceding
    it. The parent never imports torch on this path. Short series are checked at once.
    """

    def __init__(self, plan: Plan, view: View) -> None:
        self._done: Verification | None = None
        self._process = None
        self._receiver = None
        if len(view.updates()) <= FULL_CHECK_LIMIT or "torch" in sys.modules \
                or plan.exact is not None:
            self._done = verify(plan, view)
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_verify_child, args=(plan, view, sender),
                                        daemon=True)
        self._process.start()
        sender.close()

    def result(self) -> Verification:
        if self._done is not None:
            return self._done
        assert self._receiver is not None and self._process is not None
        try:
            outcome = self._receiver.recv()
        except EOFError:
            outcome = ("error", "the verification process ended without an answer", EXIT_INTERNAL)
        self._process.join()
        if outcome[0] == "ok":
            self._done = Verification(outcome[1], outcome[2])
            return self._done
        raise (MismatchError if outcome[0] == "mismatch" else WarmupError)(
            outcome[1], exit_code=outcome[2])


def _verify_child(plan: Plan, view: View, sender: Any) -> None:
    try:
        done = verify(plan, view)
        sender.send(("ok", done.checked, done.total))
    except MismatchError as error:
        sender.send(("mismatch", error.render(), error.exit_code))
    except WarmupError as error:
        sender.send(("error", error.render(), error.exit_code))
    except BaseException as error:  # the parent must hear about anything, then exit cleanly
        sender.send(("error", f"verification failed: {error!r}", EXIT_INTERNAL))
    finally:
        sender.close()
