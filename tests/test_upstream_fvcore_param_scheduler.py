"""fvcore's ParamSchedulers (frameworks/upstream/fvcore_param_scheduler.py) on their own:
what the detectron2 reader tests cannot reach through a config (milestone derivation,
fvcore's constructor messages, WHERE_EPSILON at a boundary, repeated products). The LR series
themselves are checked against fvcore in tests/test_framework_detectron2.py
(tools/golden/detectron2_golden.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from warmup_cli.frameworks.upstream import fvcore_param_scheduler as fvcore
from warmup_cli.frameworks.upstream.fvcore_param_scheduler import Rejected

WHERES = [i / 200 for i in range(200)] + [1.0]


def test_multistep_milestones_split_num_updates_evenly() -> None:
    # MultiStepParamScheduler.__init__: step_width = ceil(num_updates / len(values))
    assert fvcore.multistep([1.0, 0.1, 0.01], num_updates=90).milestones == (30, 60)
    assert fvcore.multistep([1.0, 0.1, 0.01], num_updates=100).milestones == (34, 68)


def test_multistep_last_milestone_is_num_updates_when_none_is_given() -> None:
    sched = fvcore.multistep([1.0, 0.1, 0.01], milestones=[30, 60, 90])
    assert (sched.milestones, sched.num_updates) == ((30, 60), 90)


def test_multistep_constructions_fvcore_calls_equal_are_equal() -> None:
    # The four combinations MultiStepParamScheduler's docstring says define the same scheduler.
    values = [1.0, 0.1, 0.01]
    same = [fvcore.multistep(values, num_updates=90, milestones=[30, 60]),
            fvcore.multistep(values, num_updates=90),
            fvcore.multistep(values, milestones=[30, 60, 90]),
            fvcore.multistep(values, milestones=[3, 6, 9])]
    series = [[sched(where) for where in WHERES] for sched in same]
    assert all(s == series[0] for s in series)
    assert series[0][0] == 1.0 and series[0][-1] == 0.01


def test_where_epsilon_moves_a_boundary_forward() -> None:
    # epoch_num = int((where + 1e-6) * num_updates): just below 3/10 already counts as 3
    sched = fvcore.multistep([1.0, 0.1], num_updates=10, milestones=[3])
    assert sched(0.3 - 5e-7) == 0.1
    assert sched(0.3 - 2e-6) == 1.0
    assert fvcore.scaled_index(0.3 - 5e-7, 10) == 3


@pytest.mark.parametrize(("build", "message"), [
    (lambda: fvcore.multistep([1.0, 0.1]), "num_updates and milestones cannot both be None"),
    (lambda: fvcore.multistep([1.0, 0.1, 0.01], num_updates=90, milestones=[30]),
     "MultiStep scheduler requires a list of 2 miletones"),  # sic: fvcore's spelling
    (lambda: fvcore.multistep([1.0, 0.1, 0.01], milestones=[1, 2]),
     "MultiStep scheduler requires a list of 3 miletones"),
    (lambda: fvcore.multistep([1.0, 0.1, 0.01], num_updates=2),
     "Total num_updates must be greater than length of param schedule"),
    (lambda: fvcore.multistep([1.0, 0.1], num_updates=10, milestones=[10]),
     "Milestone must be smaller than total number of updates: num_updates=10, milestone=10"),
    (lambda: fvcore.multistep([1.0, 0.1, 0.01], num_updates=10, milestones=[5, 5]),
     "Milestone must be smaller than start epoch: start_epoch=5, milestone=5"),
    (lambda: fvcore.step(0, [1.0]), "Number of updates must be larger than 0"),
    (lambda: fvcore.step(10, []), "Step scheduler requires a list of at least one param value"),
    (lambda: fvcore.step_with_fixed_gamma(1.0, 3, 0.0, 10),
     "base_value and gamma must be positive numbers"),
    (lambda: fvcore.step_with_fixed_gamma(-1.0, 3, 0.1, 10),
     "base_value and gamma must be positive numbers"),
    (lambda: fvcore.step_with_fixed_gamma(1.0, 0, 0.1, 10),
     "num_decays and num_updates must be positive integers"),
    # a float count is what fvcore's isinstance(k, int) refuses, so the call is ill-typed on purpose
    (lambda: fvcore.step_with_fixed_gamma(1.0, 3, 0.1, 10.0),  # type: ignore[arg-type]
     "num_decays and num_updates must be positive integers"),
    (lambda: fvcore.composite([fvcore.constant(1.0)], [0.5, 0.5], ["fixed"]),
     "Schedulers and lengths must be same length"),
    (lambda: fvcore.composite([fvcore.constant(1.0)] * 2, [0.5, 0.6], ["fixed"] * 2),
     "The sum of all values in lengths must be 1"),
])
def test_what_fvcore_raises_is_rejected_with_its_message(build: Callable[[], object],
                                                         message: str) -> None:
    with pytest.raises(Rejected) as raised:
        build()
    assert str(raised.value) == message


def test_step_with_fixed_gamma_multiplies_as_fvcore_does() -> None:
    # values.append(values[-1] * gamma): repeated products, which are not gamma**i
    gamma = 0.3
    sched = fvcore.step_with_fixed_gamma(1.0, 3, gamma, 100)
    products = [1.0, 1.0 * gamma, 1.0 * gamma * gamma, 1.0 * gamma * gamma * gamma]
    assert [sched(where) for where in (0.0, 0.25, 0.5, 0.75)] == products
    assert products[3] != gamma**3


def test_composite_last_length_absorbs_the_rounding() -> None:
    lengths = [0.3, 0.6, 0.1]
    assert sum(lengths) == 0.9999999999999999
    sched = fvcore.composite([fvcore.constant(float(i)) for i in range(3)], lengths,
                             ["fixed"] * 3)
    assert sched.lengths == (0.3, 0.6, 0.10000000000000009)  # 1.0 - (0.3 + 0.6)
    # where + WHERE_EPSILON past a piece's end: 0.3 - 5e-7 already runs the second piece
    assert [sched.index(where)[0] for where in (0.0, 0.3 - 2e-6, 0.3 - 5e-7, 0.5, 0.95)] == [
        0, 0, 1, 1, 2]


def test_composite_rescales_where_for_its_piece() -> None:
    sched = fvcore.composite([fvcore.linear(0.0, 1.0), fvcore.linear(10.0, 20.0)], [0.25, 0.75],
                             ["rescaled", "fixed"])
    assert sched(0.125) == 0.5  # (0.125 - 0) / 0.25 into the first piece
    assert sched(0.5) == fvcore.linear(10.0, 20.0)(0.5)  # "fixed": where as it is


def test_where_out_of_range_raises_as_fvcore_does() -> None:
    with pytest.raises(RuntimeError, match=r"must be in \[0, 1\]: got 1.0"):
        fvcore.constant(1.0)(1.0)
    with pytest.raises(RuntimeError, match=r"must be in \[0, 1\]: got 1.5"):
        fvcore.multistep([1.0, 0.1], num_updates=10)(1.5)
    assert fvcore.multistep([1.0, 0.1], num_updates=10)(1.0) == 0.1  # MultiStep allows 1.0
