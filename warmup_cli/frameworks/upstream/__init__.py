"""Transcriptions of upstream scheduler code, one module per upstream file and named after it
(``transformers_optimization`` is transformers' ``optimization.py``, ``timm_scheduler`` is
``timm/scheduler/*.py``, ...).

Each module holds pure functions and small classes (optax style: a schedule is a pure function
``step -> value``, its arguments checked by whoever builds it) with the upstream operation order
kept, so the values are the framework's bit for bit. The module docstring cites the upstream file
and version, every function the upstream class or function it transcribes. Nothing here imports
the readers, the linter or the CLI; the readers choose and parameterise these formulas.
"""
