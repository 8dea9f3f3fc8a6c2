"""A training run's own logs: metric series for a plateau schedule (``show --metrics``) and the
logged LR that ``warmup check`` compares with the schedule.

``table.py`` reads a log file into located rows (CSV, TSV, JSONL, TensorBoard and W&B CSV
exports, HF's ``trainer_state.json``), bounded like a config file; ``columns.py`` picks the
metric, step and LR columns; ``compare.py`` and ``shapes.py`` are ``warmup check``.
"""
