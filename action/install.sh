#!/usr/bin/env bash
# The action's install step: the package named by INPUT_PACKAGE (an npm spec or a tarball), or
# this action's own source built and packed as a release is, installed into the runner's
# temporary folder. Fails loudly when anything is missing.
set -euo pipefail
dest="${RUNNER_TEMP:?RUNNER_TEMP is not set}/async-doctor"
mkdir -p "$dest"
spec="${INPUT_PACKAGE:-}"
if [ -z "$spec" ]; then
  src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
  (cd "$src" && npm ci --no-audit --no-fund && npm pack --pack-destination "$dest" >/dev/null)
  spec="$(ls "$dest"/async-doctor-*.tgz | head -n 1)"
fi
npm install --prefix "$dest" --no-audit --no-fund --omit=dev "$spec"
bin="$dest/node_modules/.bin/async-doctor"
echo "async-doctor $("$bin" --version) installed"
echo "bin=$bin" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
