"""Series that are checked against a real LambdaLR before anyone sees them."""

from __future__ import annotations

from warmup_cli.errors import WarmupError
from warmup_cli.schedule import Plan
from warmup_cli.series import Row, rows

EXIT_INTERNAL = 3


class MismatchError(WarmupError):
    """warmup_cli's series and torch's LambdaLR disagree: a bug, never hidden."""


def check_against_lambdalr(plan: Plan, table: list[Row], torch_lrs: dict[int, tuple[float, ...]]
                           ) -> None:
    by_step = {row.step: row for row in table}
    for step, expected in torch_lrs.items():
        row = by_step[step]
        if row.lrs != expected:
            raise MismatchError(
                f"internal error: at step {step} warmup_cli computed {row.lrs} but torch's "
                f"LambdaLR set {expected}",
                hint="please report this with the spec you used",
                exit_code=EXIT_INTERNAL,
            )


def lambdalr_rows(plan: Plan, count: int, start: int = 0) -> list[Row]:
    """Every row of the series, the LR column taken from a real LambdaLR stepped ``count``
    times; the factor-function series must agree bit for bit."""
    from warmup_cli.torch_adapter import lambdalr_lrs

    table = list(rows(plan, count, start))  # evaluation errors surface here, with their step
    torch_lrs = lambdalr_lrs(plan, count, start)
    check_against_lambdalr(plan, table, dict(zip(range(start, start + count), torch_lrs,
                                                 strict=True)))
    return table
