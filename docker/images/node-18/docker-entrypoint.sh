#!/bin/sh
set -e
# As in the official image: `docker run berth/node -e '...'` or `... app.js` runs node with those arguments.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
