#!/usr/bin/env bash
# The lint step of action.yml: `warmup lint` with workflow annotations, its exit code passed
# through (0 clean, 1 findings at or above fail-on, 2 unreadable input, 3 internal error).
# Inputs arrive as environment variables, so nothing a workflow author writes is ever
# interpolated into this script's text; word splitting is explicit and globbing is off.
set -euo pipefail
set -f
read -r -a paths <<< "${INPUT_PATHS:-.}"
read -r -a extra <<< "${INPUT_ARGS:-}"
if [ "${#paths[@]}" -eq 0 ]; then
    paths=(.)
fi
exec warmup lint --output-format github --fail-on "${INPUT_FAIL_ON:-warning}" \
    ${extra[@]+"${extra[@]}"} -- "${paths[@]}"
