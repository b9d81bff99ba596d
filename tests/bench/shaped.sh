#!/bin/sh
# bench shaped (issue 25): fetch throughput across a 4-hop chain whose
# every link is shaped to R Mbit/s with D ms one-way delay (the lab's
# lab_chain: HTB and a delay line), as a fraction of R, for R = 5 and 50
# and D = 10 and 40. The file is inserted at c0 before the links come up,
# so the fetch at c4 crosses every hop. Needs root; skips with one line.
BIN=${1:-bin}
BUILD=${2:-build}
export BIN BUILD
. tests/net/lib.sh
. tests/lab/lib.sh
if ! _why=$(lab_can); then echo "bench shaped: skipped: $_why"; exit 0; fi
now() { date +%s%N; }
linked_n() { lw "$1" status --json | grep -q "\"connected\": $2}"; }
for cfg in ${BENCH_SHAPED_CFGS:-5,10,8 5,40,8 50,10,80 50,40,80}; do # R,D,MiB: 13.4 s of line each
	set -- $(echo "$cfg" | tr , ' ')
	R=$1 D=$2 MIB=$3
	L="ws$$r$R$D"
	lab_chain 4 "$R" "$D" || { echo "bench shaped: the chain did not start"; exit 1; }
	head -c $((MIB * 1048576)) /dev/urandom >"$T/file"
	uri=$(lw c0 put -q "$T/file") || { echo "bench shaped: insert failed"; exit 1; }
	i=0
	while [ $i -lt 4 ]; do lab_chain_link $i; i=$((i + 1)); done
	i=0
	while [ $i -le 4 ]; do
		_want=2; if [ $i -eq 0 ] || [ $i -eq 4 ]; then _want=1; fi
		wait_for 30 linked_n "c$i" $_want || echo "bench shaped: c$i not linked"
		i=$((i + 1))
	done
	t0=$(now)
	lw c4 get -q "$uri" -o "$T/got" || echo "bench shaped: the fetch failed"
	t1=$(now)
	cmp -s "$T/file" "$T/got" || echo "bench shaped: the fetch differs"
	awk -v b=$((MIB * 1048576)) -v ns=$((t1 - t0)) -v r="$R" -v d="$D" 'BEGIN {
		mbit = b * 8 / (ns / 1e9) / 1e6;
		printf "bench shaped: R %d Mbit/s, D %d ms, 4 hops: %.2f Mbit/s, %.2f of R\n", r, d, mbit, mbit / r }'
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	PIDS=""
	for ns in $LAB_NS; do ip netns del "$ns" 2>/dev/null; done
	LAB_NS=""
	rm -rf "$T"/c[0-9]*
done
[ "${BENCH_SHAPED_LIMIT:-1}" = 1 ] || exit 0
# The output limit: c0 with bandwidth-out = 512K serving c1 across a
# 50 Mbit/s link, its output over a minute as a fraction of the limit.
L="ws$$lim"
lab_chain 1 50 10 || exit 1
head -c $((48 << 20)) /dev/urandom >"$T/file"
uri=$(lw c0 put -q "$T/file") || exit 1
lab_chain_link 0
wait_for 30 linked_n c1 1 || echo "bench shaped: no link"
echo "bandwidth-out = 512K" >>"$T/c0/wispd.conf"
lw c0 reload >/dev/null 2>&1
out_of_c0() { nsx c0 curl -s -H "Authorization: Bearer $(cat "$T/c0/api.token")" "http://$(cat "$T/c0/api.addr")/api/v1/peers" |
	sed -n 's/.*"bytes_out": \([0-9]*\).*/\1/p'; }
lw c1 get -q "$uri" >/dev/null 2>&1 &
getpid=$!
sleep 5 # under way
b1=$(out_of_c0); t1=$(now)
sleep 60
b2=$(out_of_c0); t2=$(now)
kill "$getpid" 2>/dev/null
awk -v b=$((b2 - b1)) -v ns=$((t2 - t1)) -v l=524288 'BEGIN {
	r = b / (ns / 1e9); printf "bench shaped: bandwidth-out 512 KiB/s, over 60 s: %.0f bytes/s, %.3f of the limit\n", r, r / l }'
