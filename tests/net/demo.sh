#!/bin/sh
# make demo: eight nodes on loopback in a ring of friends with two chords;
# a file inserted at one node is fetched from the farthest one.
BIN=${1:-bin}
BUILD=${2:-build}
export BIN BUILD
. tests/net/lib.sh
N=8
say() { printf 'demo: %s\n' "$*"; }
i=0
while [ $i -lt $N ]; do start_node "n$i" --log-level error || exit 1; i=$((i + 1)); done
say "started $N nodes on 127.0.0.1 (data in $T)"
head -c 3000000 /dev/urandom >"$T/file"
uri=$(w n0 put -q "$T/file") || exit 1
say "n0 inserted a 3 MB file while alone, so only n0 holds it:"
say "  $uri"
for e in "0 1" "1 2" "2 3" "3 4" "4 5" "5 6" "6 7" "7 0" "0 2" "5 7"; do
	set -- $e
	w "n$1" peer add "$(w "n$2" noderef)" >/dev/null
	w "n$2" peer add "$(w "n$1" noderef)" >/dev/null
done
wait_for 10 connected n4 2 || { say "links did not come up"; exit 1; }
say "linked them: a ring 0-1-2-3-4-5-6-7-0 with chords 0-2 and 5-7; n4 is 3 links from n0"
t0=$(date +%s%N)
if w n4 get -q -v "$uri" -o "$T/got" 2>"$T/v" && cmp -s "$T/file" "$T/got"; then
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	say "n4 fetched it, byte-identical, in $ms ms: $(sed 's/^wisp: //' "$T/v")"
else
	say "the fetch failed: $(cat "$T/v")"
	exit 1
fi
w n4 get -q -v "$uri" -o "$T/got" 2>"$T/v"
say "again from n4: $(sed 's/^wisp: //' "$T/v") (cached on the way)"
i=0
while [ $i -lt $N ]; do stop_node "n$i"; i=$((i + 1)); done
say "stopped every node"
