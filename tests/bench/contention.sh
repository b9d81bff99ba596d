#!/bin/sh
# bench contention (issue 25): while a 64 MiB fetch saturates a link
# shaped to 5 Mbit/s (10 ms one-way), the median and 99th percentile time
# of small (1 KiB) fetches across that same link, against the same
# fetches with the link idle, in one run. c0 holds everything (inserted
# before the link came up), c1 fetches. Needs root; skips with one line.
BIN=${1:-bin}
BUILD=${2:-build}
MIB=${BENCH_CONTENTION_MIB:-64}
SMALL=${BENCH_CONTENTION_SMALL:-40}
export BIN BUILD
. tests/net/lib.sh
. tests/lab/lib.sh
if ! _why=$(lab_can); then echo "bench contention: skipped: $_why"; exit 0; fi
now() { date +%s%N; }
linked_n() { lw "$1" status --json | grep -q "\"connected\": $2}"; }
# pct FILE P: the P-th percentile of the numbers in FILE (nearest rank)
pct() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i] }'; }

lab_chain 1 5 10 || { echo "bench contention: the chain did not start"; exit 1; }
head -c $((MIB * 1048576)) /dev/urandom >"$T/big"
big=$(lw c0 put -q "$T/big") || exit 1
i=0
while [ $i -lt $((2 * SMALL)) ]; do
	head -c 1024 /dev/urandom >"$T/s$i"
	lw c0 put -q "$T/s$i" >"$T/u$i" || exit 1
	i=$((i + 1))
done
lab_chain_link 0
wait_for 30 linked_n c1 1 || { echo "bench contention: no link"; exit 1; }

small() { # small I: fetch small document I at c1, its time in ms to $T/t.I
	_t0=$(now)
	if lw c1 get -q "$(cat "$T/u$1")" >"$T/g$1" 2>/dev/null && cmp -s "$T/s$1" "$T/g$1"; then
		echo "$_t0 $((($(now) - _t0) / 1000000))" >"$T/t.$1"
	else
		echo "$_t0 fail" >"$T/t.$1"
	fi
}
i=0
while [ $i -lt "$SMALL" ]; do small $i; i=$((i + 1)); done
cat "$T"/t.[0-9]* | grep -v fail | cut -d' ' -f2 >"$T/idle"

t0=$(now)
lw c1 get -q "$big" -o "$T/got" &
bigpid=$!
sleep 3 # the transfer under way
spids=""
while [ $i -lt $((2 * SMALL)) ]; do
	small $i &
	spids="$spids $!"
	sleep 1
	i=$((i + 1))
done
wait $bigpid
t1=$(now)
for p in $spids; do wait "$p"; done
cmp -s "$T/big" "$T/got" || echo "bench contention: the 64 MiB fetch failed or differs"
: >"$T/busy"
fails=0
i=$SMALL
n=0
while [ $i -lt $((2 * SMALL)) ]; do
	read -r start v <"$T/t.$i"
	i=$((i + 1))
	[ "$start" -lt "$t1" ] || continue # only those asked while the transfer ran
	n=$((n + 1))
	if [ "$v" = fail ]; then fails=$((fails + 1)); else echo "$v" >>"$T/busy"; fi
done
awk -v b=$((MIB * 1048576)) -v ns=$((t1 - t0)) 'BEGIN { printf "bench contention: the %d MiB fetch at %.2f Mbit/s of 5\n", b / 1048576, b * 8 / (ns / 1e9) / 1e6 }'
echo "bench contention: 1 KiB fetches across the saturated link: median $(pct "$T/busy" 50) ms, p99 $(pct "$T/busy" 99) ms, $fails of $n failed; idle: median $(pct "$T/idle" 50) ms, p99 $(pct "$T/idle" 99) ms; p99 ratio $(awk -v a="$(pct "$T/busy" 99)" -v b="$(pct "$T/idle" 99)" 'BEGIN { printf "%.1f", (a ? a : 0) / (b ? b : 1) }')"
