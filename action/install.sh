#!/usr/bin/env bash
# The action's install step. The command line is one bundle with no dependencies:
# - INPUT_PACKAGE (an npm spec or a tarball): installed into the runner's temporary folder;
# - else the bundle in this action's own folder (a release tag carries dist/bundle/): used as is;
# - else (a branch of the repository, without the bundle) it is built from the sources first.
# Fails loudly when anything is missing.
set -euo pipefail
dest="${RUNNER_TEMP:?RUNNER_TEMP is not set}/async-doctor"
mkdir -p "$dest"
src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
src="${src%/}"
spec="${INPUT_PACKAGE:-}"
if [ -n "$spec" ]; then
  npm install --prefix "$dest" --no-audit --no-fund --omit=dev "$spec"
  bin="$dest/node_modules/.bin/async-doctor"
else
  bundle="$src/dist/bundle/async-doctor.js"
  if [ ! -f "$bundle" ]; then
    echo "No dist/bundle/ in this checkout of the action: building the command line from its sources"
    (cd "$src" && npm ci --ignore-scripts --no-audit --no-fund && node scripts/bundle-cli.mjs)
  fi
  bin="$dest/async-doctor"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$bundle" >"$bin"
  chmod +x "$bin"
fi
echo "async-doctor $("$bin" --version) installed"
echo "bin=$bin" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
