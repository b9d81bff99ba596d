#!/bin/sh
# Fetch throughput across a chain of 1, 3 and 5 hops on loopback, against
# the local get of the same file, in the same run. The file is inserted at
# the chain's first node before the links come up, so only that node has
# it and the fetch really crosses every hop. Seven processes share two
# cores here, so one run varies by a third: each configuration runs
# BENCH_CHAIN_RUNS times (3) on fresh nodes (a second fetch on the same
# chain would be served from the caches on the way), and the line gives
# the medians; the runs' ratios follow it.
BIN=${1:-bin}
BUILD=${2:-build}
MIB=${BENCH_CHAIN_MIB:-64}
RUNS=${BENCH_CHAIN_RUNS:-3}
export BIN BUILD
. tests/net/lib.sh
head -c $((MIB * 1048576)) /dev/urandom >"$T/file"
now() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for hops in 1 3 5; do
	: >"$T/local.ns"
	: >"$T/far.ns"
	: >"$T/ratios"
	r=0
	while [ $r -lt "$RUNS" ]; do
		# each run starts with the disk quiet: the writeback of what ran
		# before (node.sh writes 512 MiB) otherwise slows every sync here
		sync
		n="c$hops-$r"
		i=0
		while [ $i -le $hops ]; do start_node "$n-$i" --log-level error --store-size 1G || exit 1; i=$((i + 1)); done
		uri=$(w "$n-0" put -q "$T/file")
		t0=$(now)
		w "$n-0" get -q "$uri" -o "$T/local"
		t1=$(now)
		i=0
		while [ $i -lt $hops ]; do
			w "$n-$i" peer add "$(w "$n-$((i + 1))" noderef)" >/dev/null
			w "$n-$((i + 1))" peer add "$(w "$n-$i" noderef)" >/dev/null
			i=$((i + 1))
		done
		wait_for 10 connected "$n-$hops" 1 || { echo "bench chain: links did not come up"; exit 1; }
		t2=$(now)
		w "$n-$hops" get -q -v "$uri" -o "$T/far" 2>"$T/v"
		t3=$(now)
		cmp -s "$T/file" "$T/far" || { echo "bench chain: fetch across $hops hops differs"; exit 1; }
		echo $((t1 - t0)) >>"$T/local.ns"
		echo $((t3 - t2)) >>"$T/far.ns"
		awk -v l=$((t1 - t0)) -v f=$((t3 - t2)) 'BEGIN { printf "%.2f\n", l / f }' >>"$T/ratios"
		i=0
		while [ $i -le $hops ]; do stop_node "$n-$i"; rm -rf "$T/$n-$i"; i=$((i + 1)); done
		r=$((r + 1))
	done
	awk -v m="$MIB" -v l="$(median <"$T/local.ns")" -v f="$(median <"$T/far.ns")" -v h=$hops 'BEGIN {
		lr = m / (l / 1e9); fr = m / (f / 1e9);
		printf "bench chain_get hops=%d: %.1f MiB/s (local %.1f MiB/s, ratio %.2f)\n", h, fr, lr, fr / lr }'
	echo "  ($RUNS runs on fresh nodes, ratios $(tr '\n' ' ' <"$T/ratios"| sed 's/ $//'))"
done
