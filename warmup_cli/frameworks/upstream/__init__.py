"""Transcriptions of the frameworks' own scheduler code, one module per upstream file (named
after it), as pure functions and small classes: a schedule is a function step -> value, its
arguments checked where it is built. Each module cites its upstream file; each function or
class cites the upstream class or function it follows. The readers in ``warmup_cli.frameworks``
choose and parameterise these; nothing here imports a reader, lint or the CLI."""
