"""Transcriptions of the frameworks' own schedule code, one module per upstream file.

Each module is named after the file it reproduces (``mmengine_lr_scheduler`` for
mmengine/optim/scheduler/*, ``mmcv_lr_updater`` for mmcv/runner/hooks/lr_updater.py, ...),
cites it in its docstring and the upstream class or function at each definition, and keeps
upstream's operation order so that the floats agree bit for bit. A schedule is a pure function
of the step (optax style); its arguments are checked where it is built. These modules import
nothing from the readers, ``lint`` or ``cli``: the readers in ``warmup_cli.frameworks`` choose
and parameterise them from a config.
"""
