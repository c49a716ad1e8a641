#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds Berth, (re)starts the panel in the background
# and prints the console URL and the admin login. Configuration comes from the environment (README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prereqs.sh

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
say "building the panel and the console"
pnpm build >/dev/null

data_dir=$(node -e 'const p=require("path");console.log(p.resolve(process.env.BERTH_DATA_DIR||"data"))')
mkdir -p "$data_dir"
chmod 700 "$data_dir"
pid_file="$data_dir/berth.pid"
log_file="$data_dir/berth.log"
if [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  say "stopping the running panel (pid $(cat "$pid_file"))"
  kill "$(cat "$pid_file")"
  for _ in $(seq 1 50); do kill -0 "$(cat "$pid_file")" 2>/dev/null || break; sleep 0.1; done
fi

generated=""
db_file="$data_dir/berth.db"; [[ -n "${DATABASE_URL:-}" ]] && db_file="${DATABASE_URL#file:}"
if [[ ! -s "$db_file" && -z "${BERTH_ADMIN_PASSWORD:-}" ]]; then
  export BERTH_ADMIN_EMAIL="${BERTH_ADMIN_EMAIL:-admin@berth.localhost}"
  BERTH_ADMIN_PASSWORD=$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')
  export BERTH_ADMIN_PASSWORD
  generated=1
fi

say "starting the panel (log: $log_file)"
nohup node --enable-source-maps apps/api/dist/main.js >>"$log_file" 2>&1 &
echo $! >"$pid_file"
listen="${BERTH_LISTEN:-127.0.0.1:8080}"
for _ in $(seq 1 100); do
  curl -fsS "http://$listen/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$(cat "$pid_file")" 2>/dev/null || { tail -n 20 "$log_file" >&2; echo "berth: the panel exited; see $log_file" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "http://$listen/api/v1/health" >/dev/null || { echo "berth: the panel did not answer on $listen; see $log_file" >&2; exit 1; }

echo
echo "  Berth is running:  http://$listen/"
echo "  API docs:          http://$listen/api/docs"
if [[ -n "$generated" ]]; then
  echo "  Admin login:       $BERTH_ADMIN_EMAIL"
  echo "  Admin password:    $BERTH_ADMIN_PASSWORD   (shown once; change it after signing in)"
elif [[ -n "${BERTH_ADMIN_EMAIL:-}" ]]; then
  echo "  Admin login:       $BERTH_ADMIN_EMAIL (password from BERTH_ADMIN_PASSWORD)"
else
  echo "  Admin login:       the admin created on first start; forgot it? pnpm berth reset-password --email admin@berth.localhost"
fi
echo "  Stop:              kill \$(cat $pid_file)"
