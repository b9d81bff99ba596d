#!/bin/sh
# Fetch throughput across a chain of 1, 3 and 5 hops on loopback, against
# the local get of the same file, in the same run. The file is inserted at
# the chain's first node before the links come up, so only that node has
# it and the fetch really crosses every hop.
BIN=${1:-bin}
BUILD=${2:-build}
MIB=${BENCH_CHAIN_MIB:-64}
export BIN BUILD
. tests/net/lib.sh
head -c $((MIB * 1048576)) /dev/urandom >"$T/file"
now() { date +%s%N; }
for hops in 1 3 5; do
	# Each configuration starts with the disk quiet: the writeback of the
	# benchmark before (node.sh writes 512 MiB) otherwise slows every
	# commit's sync here, and a run measures its neighbour.
	sync
	i=0
	while [ $i -le $hops ]; do start_node "c$hops-$i" --log-level error --store-size 1G || exit 1; i=$((i + 1)); done
	uri=$(w "c$hops-0" put -q "$T/file")
	t0=$(now)
	w "c$hops-0" get -q "$uri" -o "$T/local"
	t1=$(now)
	i=0
	while [ $i -lt $hops ]; do
		w "c$hops-$i" peer add "$(w "c$hops-$((i + 1))" noderef)" >/dev/null
		w "c$hops-$((i + 1))" peer add "$(w "c$hops-$i" noderef)" >/dev/null
		i=$((i + 1))
	done
	wait_for 10 connected "c$hops-$hops" 1 || { echo "bench chain: links did not come up"; exit 1; }
	t2=$(now)
	w "c$hops-$hops" get -q -v "$uri" -o "$T/far" 2>"$T/v"
	t3=$(now)
	cmp -s "$T/file" "$T/far" || { echo "bench chain: fetch across $hops hops differs"; exit 1; }
	awk -v m="$MIB" -v l=$((t1 - t0)) -v f=$((t3 - t2)) -v h=$hops 'BEGIN {
		lr = m / (l / 1e9); fr = m / (f / 1e9);
		printf "bench chain_get hops=%d: %.1f MiB/s (local %.1f MiB/s, ratio %.2f)\n", h, fr, lr, fr / lr }'
	i=0
	while [ $i -le $hops ]; do stop_node "c$hops-$i"; i=$((i + 1)); done
done
