"""Transcriptions of the frameworks' own schedule code, one module per upstream file, named
after it (``fvcore_param_scheduler`` is fvcore/common/param_scheduler.py). Each is pure: a
schedule is a function of the step, arguments are checked where it is built, and the float
operations run in the upstream order, so the numbers are the framework's to the last bit. The
readers in ``warmup_cli.frameworks`` choose and parameterise them from a config; nothing here
reads a config, or imports a reader, lint or the CLI."""
