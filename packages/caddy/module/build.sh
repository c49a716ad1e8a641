#!/usr/bin/env bash
# Builds Berth's Caddy (static, reproducible) into the given path:
#   bash packages/caddy/module/build.sh <output-path>
set -euo pipefail

out="${1:?usage: build.sh <output-path>}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

GO="${GO:-}"
if [ -z "$GO" ]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"
  elif [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go
  else
    echo "build.sh: Go is not installed (need the version in $here/go.mod or newer)" >&2
    exit 1
  fi
fi

if ! have="$("$GO" env GOVERSION 2>/dev/null)" || [ -z "$have" ]; then
  echo "build.sh: $GO does not run as a Go toolchain (need the version in $here/go.mod or newer)" >&2
  exit 1
fi
have="$(printf '%s' "$have" | sed 's/^go//; s/[^0-9.].*$//')"
need="$(sed -n 's/^go \([0-9][0-9.]*\)$/\1/p' "$here/go.mod")"
if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n1)" != "$need" ]; then
  echo "build.sh: Go $have is older than go $need required by $here/go.mod" >&2
  exit 1
fi

cd "$here"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly GOTOOLCHAIN=local
"$GO" build -trimpath -buildvcs=false -ldflags='-s -w' -o "$out" ./cmd/caddy
echo "build.sh: built $out with Go $have" >&2
