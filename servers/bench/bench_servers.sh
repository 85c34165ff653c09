#!/usr/bin/env bash
# The servers' benchmark (not a test): measured side by side in one run on this machine.
#  1. cheap-endpoint throughput: wrk -t1 -c50 on /hi, inline server vs nginx (1 worker,
#     return 200 "easy!"), and the ratio (target >= 1.0x nginx);
#  2. heavy throughput: wrk -t1 -c4 on / at FIB=30 per strategy (every one the server lists),
#     ratios to inline;
#  3. /hi latency (wrk --latency, 1 connection) while / is saturated, per strategy;
#  4. offload overhead: offload-overhead (thread/process round trip vs raw floors).
# Usage: servers/bench/bench_servers.sh [BUILD_DIR]    (env: DURATION seconds, default 10)
set -euo pipefail

build=${1:-build}
bin="$build/bin"
duration=${DURATION:-10}
fib=${FIB:-30}
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (make deps-bench installs it)" >&2; exit 1; }
done
[ -x "$bin/offload-server" ] || { echo "bench: $bin/offload-server missing (make build)" >&2; exit 1; }
# The strategies, in the registry's order: each entry's first line starts with its name.
mapfile -t strategies < <("$bin/offload-server" --list-strategies | awk '/^[^ ]/ {print $1}')

tmp=$(mktemp -d /tmp/offload-bench-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts offload-server with the given arguments; sets $port and pushes its pid.
start_server() {
  port=$(free_port)
  "$bin/offload-server" --port "$port" "$@" >"$tmp/server.out" 2>"$tmp/server.err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$tmp/server.out" && return; sleep 0.05; done
  echo "bench: server did not start: $(cat "$tmp/server.err")" >&2; exit 1
}
stop_last() {
  local p=${pids[-1]}
  kill -TERM "$p"; wait "$p" || true
  unset 'pids[-1]'
}
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
pct() { awk -v q="$2" '$1 == q {print $2}' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "load generator and servers share these cores; each wrk uses 1 thread"
echo

echo "== 1. /hi throughput, wrk -t1 -c50 -d${duration}s"
start_server --strategy inline
wrk -t1 -c50 -d"${duration}s" "http://127.0.0.1:$port/hi" >"$tmp/ours.txt"
stop_last
nport=$(free_port)
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    location / { default_type text/plain; return 200 "easy!"; }
  }
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/nginx/nginx.pid" ] && break; sleep 0.05; done
wrk -t1 -c50 -d"${duration}s" "http://127.0.0.1:$nport/hi" >"$tmp/nginx.txt"
stop_last
printf "  %-28s %12s req/s\n" "offload-server (inline)" "$(rps "$tmp/ours.txt")" "nginx (1 worker)" "$(rps "$tmp/nginx.txt")"
echo "  ratio offload-server / nginx: $(ratio "$(rps "$tmp/ours.txt")" "$(rps "$tmp/nginx.txt")")x (target >= 1.0)"
echo

echo "== 2. heavy throughput, wrk -t1 -c4 -d${duration}s on / (fib=$fib, 2 workers)"
declare -A heavy
for s in "${strategies[@]}"; do
  start_server --strategy "$s" --workers 2 --fib "$fib"
  wrk -t1 -c4 -d"${duration}s" "http://127.0.0.1:$port/" >"$tmp/heavy-$s.txt"
  heavy[$s]=$(rps "$tmp/heavy-$s.txt")
  stop_last
  printf "  %-10s %10s req/s\n" "$s" "${heavy[$s]}"
done
printf "  ratio to inline:"
for s in "${strategies[@]}"; do
  [ "$s" = inline ] || printf "  %s %sx" "$s" "$(ratio "${heavy[$s]}" "${heavy[inline]}")"
done
echo "  (2 cores: target close to 2x)"
echo

echo "== 3. /hi latency while / is saturated (wrk -c4 on /, wrk -c1 --latency on /hi)"
for s in "${strategies[@]}"; do
  start_server --strategy "$s" --workers 2 --fib "$fib"
  wrk -t1 -c4 -d"$((duration + 2))s" "http://127.0.0.1:$port/" >/dev/null &
  load=$!
  sleep 1
  wrk -t1 -c1 -d"${duration}s" --latency "http://127.0.0.1:$port/hi" >"$tmp/hi-$s.txt"
  wait "$load"
  stop_last
  printf "  %-10s p50 %10s   p99 %10s   (%s req/s)\n" "$s" "$(pct "$tmp/hi-$s.txt" 50%)" "$(pct "$tmp/hi-$s.txt" 99%)" "$(rps "$tmp/hi-$s.txt")"
done
echo

echo "== 4. offload overhead"
"$bin/offload-overhead" 20000 | sed 's/^/  /'
