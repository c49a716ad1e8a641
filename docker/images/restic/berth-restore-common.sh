# Berth: what berth-restore-sites and berth-restore-path share (sourced, never run). POSIX sh, `set -euf` (no globbing: a path segment is never a pattern).
# Every argument is checked here again although the runtime validated it: these scripts run as root beside a
# tenant's files, and a value that reaches a path or a restic pattern must be exactly what it claims to be.

SITES=/data/sites

die() { # die <message>: a failure the runtime reports with stderr's last lines (exit 1)
  printf 'berth-restore: %s\n' "$*" >&2
  exit 1
}

missing() { # missing <what>: the snapshot lacks a site or path; nothing was changed (exit 3)
  printf 'BERTH-MISSING %s\n' "$1"
  exit 3
}

check_snapshot() { # a full or short restic snapshot id (hex)
  printf '%s' "$1" | grep -Eqx '[0-9a-f]{8,64}' || die "invalid snapshot id"
}

check_id() { # check_id <value> <what>: a positive uid/gid below 2^31
  printf '%s' "$1" | grep -Eqx '[1-9][0-9]{0,9}' || die "invalid $2"
  [ "$1" -le 2147483647 ] || die "invalid $2"
}

check_slug() { # check_slug <value> <what>: a tenant or site id (the runtime's assertSlug)
  [ "${#1}" -le 40 ] || die "invalid $2"
  printf '%s' "$1" | grep -Eqx '[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?' || die "invalid $2"
}

# check_owner <snapshot> <tenant>: the snapshot must be one of the tenant's backups (host <tenant>, tags `berth`
# and `tenant=<tenant>`); otherwise `BERTH-FOREIGN`, exit 4, and nothing was read or changed.
check_owner() {
  out="$(restic snapshots --no-lock --no-cache --json "$1")" || die "restic could not read snapshot $1"
  printf '%s\n' "$out" | jq -e --arg t "$2" \
    'length == 1 and .[0].hostname == $t and ((.[0].tags // []) | index("berth") != null and index("tenant=" + $t) != null)' \
    >/dev/null || {
    echo BERTH-FOREIGN
    exit 4
  }
}

# snapshot_has <snapshot> <path> <type>: whether the snapshot holds <path> of <type> ('' = any). `restic ls`
# of a path lists that entry (and a folder's direct entries); jq compares whole paths, so no file name, however
# odd, can stand in for another.
snapshot_has() {
  out="$(restic ls --no-lock --no-cache --json "$1" "$2")" || die "restic could not list $2 of snapshot $1"
  printf '%s\n' "$out" | jq -en --arg p "$2" --arg t "$3" \
    'any(inputs; .struct_type == "node" and .path == $p and ($t == "" or .type == $t))' >/dev/null
}

# restic_pattern <path>: <path> as a restic include pattern matching only itself (glob characters escaped;
# restic's patterns are Go's filepath.Match, where a backslash quotes the next character).
restic_pattern() {
  printf '%s' "$1" | sed -e 's/[][\\*?]/\\&/g'
}

# restore_into <snapshot> <target dir> <snapshot path>: restic restores <snapshot path> (and its parents) below
# <target dir>. --no-lock: the repository is bound read-only; --no-cache: nothing here may write a cache.
restore_into() {
  restic restore --no-lock --no-cache --quiet "$1" --target "$2" --include "$(restic_pattern "$3")" ||
    die "restic could not restore $3 from snapshot $1"
}

# swap_in <staged> <live> <trash dir>: puts the staged tree where the live one is. The live entry (any type) is
# renamed into <trash dir>/old, the staged one renamed to <live>: visitors see the old tree until the second
# rename, the new one after it, never a mixture. rename(2) only: everything is on the same filesystem.
swap_in() {
  if [ -e "$2" ] || [ -L "$2" ]; then
    mv -T -- "$2" "$3/old" || die "could not move the live copy aside"
  fi
  mv -T -- "$1" "$2" || die "could not rename the restored copy into place"
}
