#!/usr/bin/env bash
# Quick start, command 2: installs what the tests need (Docker engine, images, Chromium, Pebble), then
# runs the whole suite: typecheck, lint, unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prereqs.sh --tests
printf '\033[1m==> %s\033[0m\n' "typecheck"
pnpm typecheck
printf '\033[1m==> %s\033[0m\n' "lint"
pnpm lint
printf '\033[1m==> %s\033[0m\n' "go vet and go test (Berth's Caddy module)"
[[ -x /usr/local/go/bin/go ]] && export PATH="$PATH:/usr/local/go/bin"
(cd packages/caddy/module && go vet ./... && go test -count=1 ./...)
printf '\033[1m==> %s\033[0m\n' "build"
pnpm build
printf '\033[1m==> %s\033[0m\n' "tests"
pnpm -s test
