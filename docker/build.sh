#!/usr/bin/env bash
# Builds Berth's offline images (profile `local`) from Debian packages only: no container registry is used.
#
#   bash docker/build.sh              # every image
#   bash docker/build.sh caddy nginx  # only these (names are directories under docker/images/)
#   BERTH_FORCE_REBUILD=1 bash docker/build.sh php-fpm-8.2
#
# Each image directory holds a Dockerfile, its config files and an `image.env` with SUITE, TAG, KIND and
# VERSION, and optionally a `prebuild.sh` run before the build (its output counts in the definition hash).
# An image.env may name a shared definition instead (DEFINITION=php-fpm: docker/images/php-fpm/ holds the one
# Dockerfile of every PHP version, built with --build-arg VERSION).
# A base image `berth/base:<suite>` is made with `debootstrap --variant=minbase` (Debian's default
# mirror) and `docker import`. The build is incremental: a hash of the image directory plus the base image's
# own hash is stored in the label `berth.definition-hash`, and an image whose label already matches is not
# rebuilt. Safe to re-run; exits non-zero with a message saying what failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGES_DIR="$ROOT/images"
BASE_RECIPE_VERSION=2 # bump when the base recipe below changes
export DOCKER_BUILDKIT=0 # the engine here has no buildx; the classic builder needs nothing from a registry

log() { printf '[berth-images] %s\n' "$*"; }
fail() { printf '[berth-images] ERROR: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }

command -v docker >/dev/null || fail "docker CLI not found; install docker.io"
docker info >/dev/null 2>&1 || fail "the Docker engine is not reachable; start dockerd (see docs/environment.md)"

label_of() { # label_of <image> <label>
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

hash_dir() { # stable hash of a directory's file names and contents
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

base_hash() { printf 'suite=%s recipe=%s\n' "$1" "$BASE_RECIPE_VERSION" | sha256sum | cut -d' ' -f1; }

CLEANUP_DIR=""
cleanup() { if [[ -n "$CLEANUP_DIR" ]]; then rm -rf "$CLEANUP_DIR" "$CLEANUP_DIR.log"; fi; }
trap cleanup EXIT
declare -A TIMES=()
BUILT=0
SKIPPED=0

ensure_base() { # ensure_base <suite>
  local suite="$1" tag="berth/base:$1" want have dir start
  want="$(base_hash "$suite")"
  have="$(label_of "$tag" berth.definition-hash)"
  if [[ "$have" == "$want" && -z "${BERTH_FORCE_REBUILD:-}" ]]; then
    log "base $tag up to date (hash ${want:0:12})"
    return
  fi
  command -v debootstrap >/dev/null || fail "debootstrap not found; apt-get install -y debootstrap"
  [[ $EUID -eq 0 ]] || fail "debootstrap needs root to build $tag"
  start="$(now_ms)"
  dir="$(mktemp -d "/tmp/berth-base-$suite.XXXXXX")"
  CLEANUP_DIR="$dir"
  log "base $tag: debootstrap --variant=minbase $suite (default mirror)"
  if ! debootstrap --variant=minbase "$suite" "$dir" >"$dir.log" 2>&1; then
    tail -n 20 "$dir.log" >&2
    fail "debootstrap of $suite failed (log above); check that Debian's mirror is reachable"
  fi
  rm -f "$dir.log"
  # Images stay small: no recommends/suggests, no apt lists or .deb caches, no docs in later layers.
  cat >"$dir/etc/apt/apt.conf.d/90berth" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
APT
  cat >"$dir/etc/dpkg/dpkg.cfg.d/90berth-nodoc" <<'DPKG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
DPKG
  # Same mirror debootstrap used, plus the suite's -updates (security comes from the same mirror layout).
  local uri
  uri="$(awk '/^deb /{print $2; exit}' "$dir/etc/apt/sources.list")"
  [[ -n "$uri" ]] || fail "cannot read the mirror URI from the debootstrapped sources.list"
  {
    echo "deb $uri $suite main"
    echo "deb $uri $suite-updates main"
    [[ "$uri" == */debian ]] && echo "deb ${uri}-security $suite-security main"
  } >"$dir/etc/apt/sources.list"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
  tar -C "$dir" -c . | docker import \
    -c "LABEL berth.managed=true berth.image.kind=base berth.image.version=$suite berth.definition-hash=$want" \
    -c 'ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8' \
    -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null || fail "docker import of $tag failed"
  rm -rf "$dir"
  CLEANUP_DIR=""
  TIMES["base:$suite"]=$(( $(now_ms) - start ))
  BUILT=$((BUILT + 1))
  log "base $tag built in $(( TIMES["base:$suite"] / 1000 )) s"
}

build_image() { # build_image <name>
  local name="$1" dir="$IMAGES_DIR/$1" SUITE TAG KIND VERSION DEFINITION want have start
  [[ -f "$dir/image.env" ]] || fail "unknown image '$name' (no $dir/image.env)"
  SUITE="" TAG="" KIND="" VERSION="" DEFINITION=""
  # shellcheck disable=SC1091
  source "$dir/image.env"
  [[ -n "$SUITE" && -n "$TAG" && -n "$KIND" && -n "$VERSION" ]] || fail "$dir/image.env must set SUITE, TAG, KIND, VERSION"
  # An image may share its definition (Dockerfile and files) with others: DEFINITION names that directory, and
  # the build gets VERSION as a build argument (the PHP versions are one definition).
  local context="$dir"
  if [[ -n "$DEFINITION" ]]; then context="$IMAGES_DIR/$DEFINITION"; fi
  [[ -f "$context/Dockerfile" ]] || fail "no Dockerfile for '$name' in $context"
  ensure_base "$SUITE"
  # An image may build an artefact into its directory first (berth/caddy: Berth's Caddy binary from Go source).
  if [[ -f "$dir/prebuild.sh" ]]; then
    log "$TAG: prebuild ($name/prebuild.sh)"
    bash "$dir/prebuild.sh" || fail "prebuild of $TAG failed (output above)"
  fi
  want="$( { hash_dir "$dir"; [[ "$context" == "$dir" ]] || hash_dir "$context"; label_of "berth/base:$SUITE" berth.definition-hash; docker image inspect -f '{{.Id}}' "berth/base:$SUITE"; } | sha256sum | cut -d' ' -f1)"
  have="$(label_of "$TAG" berth.definition-hash)"
  if [[ "$have" == "$want" && -z "${BERTH_FORCE_REBUILD:-}" ]]; then
    log "$TAG up to date (hash ${want:0:12}), skipped"
    SKIPPED=$((SKIPPED + 1))
    return
  fi
  log "$TAG: building from $SUITE (docker/images/$name)"
  start="$(now_ms)"
  local out
  out="$(mktemp)"
  if ! docker build --rm --force-rm -q=false \
      --build-arg "SUITE=$SUITE" --build-arg "VERSION=$VERSION" \
      --label berth.managed=true --label "berth.image.kind=$KIND" --label "berth.image.version=$VERSION" \
      --label "berth.definition-hash=$want" \
      -t "$TAG" "$context" >"$out" 2>&1; then
    tail -n 30 "$out" >&2
    rm -f "$out"
    fail "build of $TAG failed (last lines above)"
  fi
  rm -f "$out"
  TIMES["$name"]=$(( $(now_ms) - start ))
  BUILT=$((BUILT + 1))
  log "$TAG built in $(( TIMES["$name"] / 1000 )) s ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
}

# Default order: caddy first (the edge), then webservers, PHP, app runtimes.
ALL=(caddy nginx apache varnish php-fpm-7.4 php-fpm-8.2 php-fpm-8.4 node-18 node-20 python-3.11 mariadb postgresql dbadmin wordpress sftp restic)
if [[ $# -gt 0 ]]; then NAMES=("$@"); else NAMES=("${ALL[@]}"); fi

TOTAL_START="$(now_ms)"
for n in "${NAMES[@]}"; do build_image "$n"; done
TOTAL=$(( $(now_ms) - TOTAL_START ))

log "summary: ${BUILT} built, ${SKIPPED} up to date, total $(( TOTAL / 1000 )) s"
for k in "${!TIMES[@]}"; do printf '[berth-images]   %-14s %6.1f s\n' "$k" "$(awk "BEGIN{print ${TIMES[$k]}/1000}")"; done
# Dangling layers from replaced builds are ours to clean (only those carrying Berth's label).
docker image prune -f --filter label=berth.managed=true >/dev/null || log "warning: could not prune dangling Berth images"
