#!/usr/bin/env bash
# Load test of the two-node layout (docs/deployment.md) on loopback: a throwaway PostgreSQL cluster, `consilium migrate`
# and `seed-demo`, two `consilium serve` processes sharing the database and one data directory, nginx in front, then
# `consilium loadtest` through nginx with a node's /health/live as the baseline. Everything in a temp dir, stopped at exit.
#
#   bench/two-nodes-loadtest.sh [DURATION] [CONCURRENCY]       e.g. bench/two-nodes-loadtest.sh 00:00:30 16
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-00:00:30}
concurrency=${2:-16}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
nginx=$(command -v nginx || echo /usr/sbin/nginx)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

dotnet build src/Consilium -c Release -v quiet -nologo >/dev/null
exe=src/Consilium/bin/Release/net10.0/Consilium.dll
work=$(mktemp -d /tmp/consilium-load.XXXXXX); chmod 755 "$work"
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$work/pg" && [ "$(id -u)" -eq 0 ] && chown postgres "$work/pg"
pg_port=$(free_port)
as_pg "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
db="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres;Maximum Pool Size=60"
export Storage__DataDirectory="$work/data" Logging__LogLevel__Default=Warning
dotnet "$exe" migrate --db "$db" >/dev/null
dotnet "$exe" seed-demo --db "$db" >"$work/seed.txt" 2>&1
token=$(dotnet "$exe" token --user coordinator@demo.consilium.test --db "$db" 2>/dev/null)
patient=$(dotnet "$exe" token --user patient@demo.consilium.test --db "$db" 2>/dev/null)

a=$(free_port); b=$(free_port); p=$(free_port)
dotnet "$exe" serve --db "$db" --urls "http://127.0.0.1:$a" >"$work/a.log" 2>&1 & pids+=($!)
until curl -sf -o /dev/null "http://127.0.0.1:$a/health/ready"; do sleep 0.5; done
dotnet "$exe" serve --db "$db" --urls "http://127.0.0.1:$b" >"$work/b.log" 2>&1 & pids+=($!)
until curl -sf -o /dev/null "http://127.0.0.1:$b/health/ready"; do sleep 0.5; done
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off; master_process off; worker_processes 1; pid $work/nginx/pid; error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/f; uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
  upstream consilium { server 127.0.0.1:$a max_fails=1 fail_timeout=2s; server 127.0.0.1:$b max_fails=1 fail_timeout=2s; keepalive 64; }
  server {
    listen 127.0.0.1:$p; client_max_body_size 0;
    location / { proxy_pass http://consilium; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$http_host;
      proxy_request_buffering off; proxy_buffering off; proxy_next_upstream error timeout http_502; }
  }
}
EOF
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" & pids+=($!)
sleep 1

# The demo patient's member, and a case of hers with a signed authorization for the uploads.
api() { curl -sf -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "${@:2}"; }
read -r member program < <(api "$token" "http://127.0.0.1:$p/api/members?q=Avery" | python3 -c 'import json,sys; m=json.load(sys.stdin)[0]; print(m["id"], m["programId"])')
case=$(api "$token" -X POST "http://127.0.0.1:$p/api/cases" -d "{\"programId\":\"$program\",\"memberId\":\"$member\",\"category\":\"Spine\",\"concern\":\"load test uploads\",\"startAt\":\"Intake\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api "$token" -X POST "http://127.0.0.1:$p/api/cases/$case/transitions" -d '{"to":"AwaitingConsent","version":1}' >/dev/null
png=iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
api "$patient" -X POST "http://127.0.0.1:$p/api/cases/$case/consents" -d "{\"scope\":[\"Imaging\",\"ClinicalNotes\"],\"sources\":[\"Mercy Imaging Center\"],\"recipients\":[\"Program\",\"ReviewingPhysician\"],\"purpose\":null,\"expiresOn\":\"$(date -d '+1 year' +%F)\",\"typedName\":\"Jordan Avery\",\"signaturePng\":\"$png\"}" >/dev/null

dotnet "$exe" loadtest --url "http://127.0.0.1:$p" --token "$token" --duration "$duration" --concurrency "$concurrency" \
  --program "$program" --member "$member" --upload-case "$case" --baseline "http://127.0.0.1:$a/health/live"
