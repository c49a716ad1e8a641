#!/usr/bin/env bash
# Installs and starts what Berth needs on a Debian/Ubuntu host, idempotently: Debian packages, pnpm,
# the workspace's dependencies, a running Docker engine and the offline images. Safe to run again.
#   bash scripts/prereqs.sh            # everything the panel needs
#   bash scripts/prereqs.sh --tests    # plus what the test suite needs (Chromium, Pebble, wrk)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[[ "${1:-}" == "--tests" ]] && want_tests=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'berth: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "run as root (or install sudo): Debian packages and the Docker engine need it"
  SUDO="sudo"
fi

# --- Debian packages -------------------------------------------------------------------------------
packages=(ca-certificates curl git make g++ python3 docker.io debootstrap iptables e2fsprogs util-linux)
(( want_tests )) && packages+=(chromium wrk pebble openssh-client sshpass)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- Node.js and pnpm -------------------------------------------------------------------------------
command -v node >/dev/null || die "Node.js 20.19 or newer is required (Debian trixie's nodejs package, or your usual Node.js 20+ install)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js 20.19 or newer is required; this is $(node --version)"
[[ -f /usr/include/node/node_api.h ]] || say "note: Node.js headers not found in /usr/include/node; better-sqlite3 may fail to compile"
pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [[ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]]; then
  say "installing pnpm $pnpm_version"
  $SUDO npm install -g --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

say "installing workspace dependencies"
pnpm install --frozen-lockfile --reporter=append-only | grep -vE '^(Progress|\.\.\./)' || true
[[ -d node_modules/.pnpm ]] || die "pnpm install failed"

# --- Go (Berth's Caddy build) ----------------------------------------------------------------------
# The edge is Caddy built with Berth's module from packages/caddy/module (pinned go.mod/go.sum). Debian's
# golang package is too old; use the Go toolchain from go.dev (1.25 or newer), installed in /usr/local/go.
[[ -x /usr/local/go/bin/go ]] && export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || die "Go 1.25 or newer is required to build Berth's Caddy (install it in /usr/local/go)"

# --- Docker engine ----------------------------------------------------------------------------------
# Published ports without Docker's userland proxy: the edge reaches each tenant's 127.0.0.1 port through
# the kernel's NAT instead of a docker-proxy process per port (about a quarter of a PHP request's CPU).
# Added to /etc/docker/daemon.json, keeping whatever else it says; an engine already running keeps its
# setting until it restarts (Berth works either way).
engine_changed=0
if ! grep -qs '"userland-proxy"' /etc/docker/daemon.json; then
  say "configuring the Docker engine: userland-proxy false (/etc/docker/daemon.json)"
  $SUDO mkdir -p /etc/docker
  $SUDO node -e '
    const fs = require("fs"); const f = "/etc/docker/daemon.json";
    const cfg = fs.existsSync(f) && fs.readFileSync(f, "utf8").trim() ? JSON.parse(fs.readFileSync(f, "utf8")) : {};
    cfg["userland-proxy"] = false;
    fs.writeFileSync(f, JSON.stringify(cfg, null, 2) + "\n");'
  engine_changed=1
fi
if (( engine_changed )) && docker info >/dev/null 2>&1; then
  say "note: restart the Docker engine to stop using docker-proxy for published ports"
fi
if ! docker info >/dev/null 2>&1; then
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    say "starting the Docker engine (systemd)"
    $SUDO systemctl start docker
  else
    say "starting the Docker engine (dockerd in the background, log in /var/log/berth-dockerd.log)"
    $SUDO bash -c 'nohup dockerd >/var/log/berth-dockerd.log 2>&1 &'
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || die "the Docker engine did not start; see /var/log/berth-dockerd.log"
fi

# --- Offline images ---------------------------------------------------------------------------------
if [[ -f docker/build.sh ]]; then
  say "building Berth's images (only those whose definition changed)"
  bash docker/build.sh
fi
say "prerequisites ready"
