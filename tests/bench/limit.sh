#!/bin/sh
# bench put_limit, get_limit and put_latency (issue 28).
#
# put_limit: wisp put of a 1 GiB file through a real wispd, against the
# limit of its primitives measured in the same run: the same encoding on
# every core, each block checked against its key and written to a sealed
# store 64 a transaction, in one process (tests/bench/bench_inproc.c),
# timed by the wall clock or by its processor time spread over every
# core, whichever is less: what a perfect pipeline on this machine would
# take.
# get_limit: wisp get of that file from the same node, against the same
# fetch engine reading that store in one process.
# put_latency: while a 1 GiB put runs at a node, the median and p99 time
# of a friend's fetches of 1 KiB documents that only that node holds,
# against the same fetches with the node idle.
BIN=${1:-bin}
BUILD=${2:-build}
MIB=${BENCH_LIMIT_MIB:-1024}
SMALL=${BENCH_LIMIT_SMALL:-40}
export BIN BUILD
. tests/net/lib.sh
now() { date +%s%N; }
pct() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i] }'; }
store=$((MIB * 6 / 1024 + 1))G

head -c $((MIB * 1048576)) /dev/urandom >"$T/file"
set -- $("$BUILD/tests/bench/run" limit "$T/file")
lput=${1:-0}
lget=${2:-0}
start_node a --store-size "$store" || exit 1
sync
t0=$(now)
uri=$(w a put -q "$T/file") || { echo "bench put_limit: the put failed"; exit 1; }
t1=$(now)
w a get -q "$uri" -o "$T/out" || { echo "bench get_limit: the get failed"; exit 1; }
t2=$(now)
cmp -s "$T/file" "$T/out" || { echo "bench get_limit: the file came back different"; exit 1; }
rm -f "$T/out"
awk -v m="$MIB" -v a="$t0" -v b="$t1" -v c="$t2" -v lp="$lput" -v lg="$lget" 'BEGIN {
	p = m / ((b - a) / 1e9); g = m / ((c - b) / 1e9);
	printf "bench put_limit: %.1f MiB/s (primitives on all cores %.1f MiB/s, ratio %.2f)\n", p, lp, lp ? p / lp : 0;
	printf "bench get_limit: %.1f MiB/s (primitives %.1f MiB/s, ratio %.2f)\n", g, lg, lg ? g / lg : 0;
}'

# put_latency: b is a's friend; the small documents were put at a before
# the link came up, so only a has them and each fetch is served by a.
start_node b || exit 1
i=0
while [ $i -lt $((2 * SMALL)) ]; do
	head -c 1024 /dev/urandom >"$T/s$i"
	w a put -q "$T/s$i" >"$T/u$i" || exit 1
	i=$((i + 1))
done
w a peer add "$(w b noderef)" >/dev/null 2>&1
w b peer add "$(w a noderef)" >/dev/null 2>&1
wait_for 30 connected b 1 || { echo "bench put_latency: no link"; exit 1; }
small() { # small I: fetch document I at b, its time in ms, or "fail"
	_t0=$(now)
	if w b get -q "$(cat "$T/u$1")" >"$T/g" 2>/dev/null && cmp -s "$T/s$1" "$T/g"; then
		echo $((($(now) - _t0) / 1000000))
	else
		echo fail
	fi
}
i=0
while [ $i -lt "$SMALL" ]; do small $i; i=$((i + 1)); done | grep -v fail >"$T/idle"
head -c $((MIB * 1048576)) /dev/urandom >"$T/file2"
i=$SMALL
w a put -q "$T/file2" >/dev/null &
putpid=$!
sleep 2 # the put under way
: >"$T/busy"
while [ $i -lt $((2 * SMALL)) ] && kill -0 $putpid 2>/dev/null; do
	small $i >>"$T/busy"
	i=$((i + 1))
	sleep 0.2
done
wait $putpid
fails=$(grep -c fail "$T/busy")
n=$(wc -l <"$T/busy")
grep -v fail "$T/busy" >"$T/busy.ok"
bm=$(pct "$T/busy.ok" 50)
bp=$(pct "$T/busy.ok" 99)
im=$(pct "$T/idle" 50)
ip=$(pct "$T/idle" 99)
ratio=$(awk -v a="${bp:-0}" -v b="${ip:-1}" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')
echo "bench put_latency: a friend's 1 KiB fetches during a $MIB MiB put: median $bm ms, p99 $bp ms, $fails of $n failed; idle: median $im ms, p99 $ip ms; p99 ratio $ratio"
