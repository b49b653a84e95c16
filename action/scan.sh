#!/usr/bin/env bash
# The action's scan step. Exit status 1 (findings that fail-on fails on) is passed on as the
# `status` output, so that the SARIF is uploaded before the run fails; any other failure (a
# missing tool, a usage error) fails the step at once.
set -euo pipefail
bin="${ASYNC_DOCTOR_BIN:?the install step did not give the async-doctor command}"
if [ ! -x "$bin" ]; then
  echo "::error::async-doctor is not installed ($bin)"
  exit 127
fi
format="${INPUT_FORMAT:-sarif}"
case "$format" in sarif | github) ;; *)
  echo "::error::format must be sarif or github, not '$format'"
  exit 2
  ;;
esac
fail_on="${INPUT_FAIL_ON:-never}"
case "$fail_on" in never | high | any) ;; *)
  echo "::error::fail-on must be never, high or any, not '$fail_on'"
  exit 2
  ;;
esac
# Paths: split at white space, never expanded as globs.
set -f
read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
set +f
[ "${#paths[@]}" -gt 0 ] || paths=(.)
args=(scan "${paths[@]}" --fail-on "$fail_on")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
status=0
if [ "$format" = sarif ]; then
  sarif="${INPUT_SARIF_FILE:-async-doctor.sarif}"
  "$bin" "${args[@]}" --format sarif >"$sarif" || status=$?
  echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"
else
  "$bin" "${args[@]}" --format github || status=$?
fi
if [ "$status" -gt 1 ]; then
  echo "::error::async-doctor failed (exit status $status)"
  exit "$status"
fi
echo "status=$status" >>"$GITHUB_OUTPUT"
