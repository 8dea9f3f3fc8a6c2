"""ReduceLROnPlateau: the one torch scheduler whose LR depends on a metric series.

A ``plateau`` phase parses like every other kind (its factor is a placeholder of 1, the LR
before any reduction), so spec parsing and lint need no torch. Before a series is shown, the
phase is *resolved*: :func:`warmup_cli.plateau.run.run_plateau` steps a real
``torch.optim.lr_scheduler.ReduceLROnPlateau`` with the metric values (torch imported inside
the function). :mod:`warmup_cli.plateau.model` finds the phase and its settings.
"""
