"""Config-file readers; no schedule logic lives here.

``document`` picks the format and dispatches to ``yaml_loader``, ``json_loader``,
``toml_loader`` or ``python_loader`` (with ``python_fold`` for its bounded constant folding);
each builds the located tree of ``tree`` from text that ``text`` read with bounds
(``numbers`` reads numbers written as strings). ``discover`` expands command-line targets into
config files; ``hints`` points at schedule-like keys no reader knows.
"""
