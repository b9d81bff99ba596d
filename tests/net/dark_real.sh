# A real darknet on loopback, measured as wisp-sim dark measures its own
# (issue 27): N wispd (60) befriended along the friend graph wisp-sim
# draws for the same seed (degree 6: a ring and harmonic long links), at
# first with swap = no. D documents (200) of one block, each inserted at a
# random node and fetched from another, with the hops `wisp get -v`
# reports; then swapping is turned on by a reload for S seconds (300), and
# D new documents the same way. Locations are measured as the median
# distance between friends on the circle in spacings (1/N of it), as the
# simulator's links= field. Then wisp-sim runs the same graph with as many
# attempts per node as the real nodes made. Not part of make check (about
# ten minutes); docs/sim.md puts its lines beside the simulator's.
# Usage: sh tests/net/dark_real.sh [N] [D] [S] [SEED]
. tests/net/lib.sh

N=${1:-60}
D=${2:-200}
S=${3:-300}
SEED=${4:-1}
SIM="$BIN/wisp-sim"
field() { w "$1" status --json | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }

"$SIM" dark --nodes "$N" --degree 6 --seed "$SEED" --swaps 1 --warm 0 --probes 1 --swap-only --edges \
	--out "$T/sim0" >/dev/null || { echo "dark_real: wisp-sim failed"; exit 1; }
cp "$T/sim0/dark-edges.txt" "$T/edges"
i=0
while [ $i -lt "$N" ]; do
	mkdir -p "$T/n$i" && chmod 700 "$T/n$i" && printf 'swap = no\n' >"$T/n$i/wispd.conf"
	start_node "n$i" || exit 1
	w "n$i" noderef >"$T/ref$i"
	i=$((i + 1))
done
while read -r a b; do
	w "n$a" peer add "$(cat "$T/ref$b")" >/dev/null 2>&1
	w "n$b" peer add "$(cat "$T/ref$a")" >/dev/null 2>&1
done <"$T/edges"
wait_for 60 all_up "$N" || echo "dark_real: not every link came up in 60 s"

# links: friends' median distance in spacings, from every node's location
links() {
	i=0
	while [ $i -lt "$N" ]; do field "n$i" 'd["swap"]["location"][:16]'; i=$((i + 1)); done >"$T/locs"
	python3 -c '
import sys
locs = [int(l, 16) for l in open(sys.argv[1])]
n = len(locs); m = 1 << 64; d = []
for line in open(sys.argv[2]):
    a, b = map(int, line.split())
    x = (locs[a] - locs[b]) % m
    d.append(min(x, m - x))
d.sort()
print("%.1f" % (d[len(d) // 2] * n / m))' "$T/locs" "$T/edges"
}

# fetches TAG: D documents, each put at one node and got at another
fetches() {
	ok_n=0
	: >"$T/hops"
	d=0
	while [ $d -lt "$D" ]; do
		at=$(rnd $((SEED * 3 + d + $2)) "$N")
		from=$(rnd $((SEED * 7 + d + $2)) "$N")
		[ "$from" = "$at" ] && from=$(((from + 1) % N))
		if put_get "$at" "$from" $((1024 + $(rnd $((SEED + d + $2)) 15360))); then
			ok_n=$((ok_n + 1))
		fi
		d=$((d + 1))
	done
	sort -n "$T/hops" | awk -v tag="$1" -v n="$N" -v d="$D" -v ok="$ok_n" -v links="$3" '
		{ h[NR] = $1; s += $1 }
		END {
			printf "real DARK %s nodes=%d links=%s get_hops_q1=%d get_hops_median=%d get_hops_q3=%d get_hops_mean=%.2f get_success=%.1f%%\n",
			    tag, n, links, h[int((NR + 3) / 4)], h[int((NR + 1) / 2)], h[int((3 * NR + 3) / 4)], NR ? s / NR : 0, 100 * ok / d
		}'
}

t0=$(date +%s)
fetches before 0 "$(links)"
echo "dark_real: $D fetches in $(($(date +%s) - t0)) s"
i=0
while [ $i -lt "$N" ]; do
	sed -i 's/^swap = no$/swap = yes/' "$T/n$i/wispd.conf"
	w "n$i" reload >/dev/null 2>&1
	i=$((i + 1))
done
t1=$(date +%s)
while [ $((left = S - ($(date +%s) - t1))) -gt 0 ]; do
	sleep $((left < 60 ? left : 60))
	echo "dark_real: swapping for $(($(date +%s) - t1)) s, links $(links)"
done
att=$(i=0; while [ $i -lt "$N" ]; do field "n$i" '"%d %d" % (d["swap"]["attempts"], d["swap"]["swapped"])'; i=$((i + 1)); done |
	awk '{ a += $1; s += $2 } END { printf "%d %d", a, s }')
set -- $att
per=$(($1 / N))
echo "dark_real: swapping $S s: $1 attempts ($per per node), $2 swaps counted at both ends"
# the locations move while swaps are under way; the fetches see them as they are
fetches after 100000 "$(links)"
"$SIM" dark --nodes "$N" --degree 6 --seed "$SEED" --swaps "$per" --warm 600 --probes "$D" --edges --out "$T/sim" |
	grep -E 'swapping=off foaf=on|swapping=on foaf=on' | sed 's/^/beside: /'
cmp -s "$T/edges" "$T/sim/dark-edges.txt" || echo "dark_real: the simulator's graph differs"
