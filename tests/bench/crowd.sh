#!/bin/sh
# Flash crowds: k = 1, 4 and 8 downloaders of one 16 MiB file at once, in
# cliques of 5 and 9 friends (docs/routing.md, "Coalescing and overload").
# Each k gets a fresh file inserted at node 0, fetched by k downloaders on
# nodes 1 … C-1 in turn (two on a node when k exceeds them); the time is
# until the last copy is whole, given as a ratio to k = 1 in the same
# clique (target: at most 2 for k = 4, 3 for k = 8). On two cores k copies
# cost k times the decrypting and verifying however the network behaves,
# so the line also gives k gets of the same file at once from node 0's own
# store, no network at all: the machine's floor for k copies, and the
# network's ratio to it.
BIN=${1:-bin}
BUILD=${2:-build}
MIB=${BENCH_CROWD_MIB:-16}
export BIN BUILD
. tests/net/lib.sh
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# fetch_all K LOCAL: K gets of $uri at once, from node 0's own store
# (LOCAL 1) or from nodes 1 … C-1 in turn; prints the milliseconds taken.
fetch_all() {
	_t0=$(ms) _pids="" _d=0
	while [ $_d -lt "$1" ]; do
		_at=$(( $2 ? 0 : 1 + _d % (size - 1) ))
		( w "q$size-$_at" get -q "$uri" -o "$T/got$_d" ) &
		_pids="$_pids $!"
		_d=$((_d + 1))
	done
	wait $_pids
	echo $(( $(ms) - _t0 ))
}
for size in 5 9; do
	i=0
	while [ $i -lt $size ]; do start_node "q$size-$i" --log-level error --store-size 1G || exit 1; i=$((i + 1)); done
	i=0
	while [ $i -lt $size ]; do
		j=0
		while [ $j -lt $size ]; do
			[ $i != $j ] && w "q$size-$i" peer add "$(w "q$size-$j" noderef)" >/dev/null
			j=$((j + 1))
		done
		i=$((i + 1))
	done
	i=0
	while [ $i -lt $size ]; do
		wait_for 20 connected "q$size-$i" $((size - 1)) || { echo "bench crowd: the clique did not link"; exit 1; }
		i=$((i + 1))
	done
	for k in 1 4 8; do
		head -c $((MIB * 1048576)) /dev/urandom >"$T/file"
		uri=$(w "q$size-0" put -q "$T/file")
		tl=$(fetch_all "$k" 1)
		rm -f "$T"/got*
		t=$(fetch_all "$k" 0)
		d=0
		while [ $d -lt $k ]; do
			cmp -s "$T/file" "$T/got$d" || { echo "bench crowd: copy $d differs"; exit 1; }
			rm -f "$T/got$d"
			d=$((d + 1))
		done
		[ $k = 1 ] && t1=$t
		awk -v s=$size -v k=$k -v t=$t -v b=$t1 -v m=$MIB -v l=$tl 'BEGIN {
			printf "bench crowd clique=%d k=%d: %.2f s for %d x %d MiB (k=1 %.2f s, ratio %.2f; %d local gets at once %.2f s, ratio %.2f)\n",
			    s, k, t / 1000, k, m, b / 1000, t / b, k, l / 1000, t / (l > 0 ? l : 1) }'
	done
	i=0
	while [ $i -lt $size ]; do stop_node "q$size-$i"; rm -rf "$T/q$size-$i"; i=$((i + 1)); done
done
