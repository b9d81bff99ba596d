#!/bin/sh
# Node throughput: put and get of a 256 MiB file through a real wispd on
# loopback, against the same encoding and store work done in-process.
BIN=${1:-bin}
B=${2:-build}
MIB=${BENCH_MIB:-256}
T=$(mktemp -d /tmp/wisp-bench-XXXXXX)
trap 'kill $(cat "$T/pid" 2>/dev/null) 2>/dev/null; rm -rf "$T"' EXIT
head -c $((MIB * 1048576)) /dev/urandom >"$T/file"
set -- $("$B/tests/bench/run" inproc "$T/file")
inproc_put=$1
inproc_get=$2
"$BIN/wispd" -d "$T/n" --listen 127.0.0.1:0 --api 127.0.0.1:0 --store-size 2G --foreground \
	--log-level warn & echo $! >"$T/pid"
while [ ! -s "$T/n/api.addr" ]; do sleep 0.05; done
now() { date +%s.%N; }
t0=$(now)
uri=$("$BIN/wisp" -d "$T/n" put -q "$T/file")
t1=$(now)
"$BIN/wisp" -d "$T/n" get -q "$uri" -o "$T/out"
t2=$(now)
cmp -s "$T/file" "$T/out" || { echo "bench node: round trip differs"; exit 1; }
awk -v m="$MIB" -v a="$t0" -v b="$t1" -v c="$t2" -v ip="$inproc_put" -v ig="$inproc_get" 'BEGIN {
	p = m / (b - a); g = m / (c - b);
	printf "bench node_put: %.1f MiB/s (in-process %.1f MiB/s, ratio %.2f)\n", p, ip, p / ip;
	printf "bench node_get: %.1f MiB/s (in-process %.1f MiB/s, ratio %.2f)\n", g, ig, g / ig;
}'
