"""warmup_cli: inspect and lint learning-rate warmup schedules exactly as PyTorch runs them."""

__version__ = "0.1.0"
