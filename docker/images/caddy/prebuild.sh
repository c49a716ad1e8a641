#!/usr/bin/env bash
# Builds Berth's Caddy binary from packages/caddy/module into this directory before the image is built
# (docker/build.sh runs an image's prebuild.sh first). The build is reproducible (-trimpath, no VCS stamp),
# so unchanged sources give a byte-identical binary and the image is not rebuilt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/../../../packages/caddy/module/build.sh" "$here/caddy"
