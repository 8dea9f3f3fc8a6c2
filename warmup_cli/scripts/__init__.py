"""Static reading of PyTorch training scripts: where schedulers are built and stepped.

Nothing here imports, executes or ``eval``s the script: it is read with :mod:`ast`, factor
functions go through the expression sandbox (:mod:`warmup_cli.expr`), and work is bounded.
"""
