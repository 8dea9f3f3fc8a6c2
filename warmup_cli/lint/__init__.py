"""``warmup lint``: a rule catalogue for schedule bugs in config files and on the command line.

Modules (import them directly; this package imports nothing so that the CLI's start-up only
pays for what a command uses):

- ``diagnostics``: :class:`Severity`, :class:`Location`, :class:`Diagnostic`.
- ``rules``: the catalogue (:data:`RULES`, :func:`register_rule`, :func:`expand_selectors`),
  one module per family: ``input`` (WU0xx), ``schedule`` (WU1xx, each rule with its check),
  ``framework`` (WU3xx).
- ``settings``: ``[tool.warmup-cli]`` and CLI options → :class:`Settings`.
- ``subject``: :class:`Subject` (one schedule to check) and :class:`RuleHit`.
- ``extract``: the generic extractor, the framework readers' subjects (WU3xx findings, WU308
  for unresolved values, their schedules for the WU1xx checks) and the extractor registry.
- ``trace``: sampling the factor function over a run; ``context``: what a WU1xx check
  reads; ``engine``: :func:`check_subject` runs the enabled checks on one subject.
- ``runner``: :func:`lint` (targets → :class:`LintReport`) and the exit code.
- ``emitters``: text, json, github, sarif and junit output; ``docs``: rule table and explain.
"""
