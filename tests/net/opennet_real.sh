# A real opennet on loopback, measured as wisp-sim opennet measures its
# own: N wispd (50) that know one seed grow their links, then D documents
# (100) of one block, each inserted at a random node and fetched from
# another, with the hops `wisp get -v` reports. Not part of make check
# (two to four minutes); docs/sim.md puts its lines beside the
# simulator's. Usage: sh tests/net/opennet_real.sh [N] [D] [SEED]
. tests/net/lib.sh

N=${1:-50}
D=${2:-100}
SEED=${3:-1}
field() { w "$1" status --json | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }

i=0
while [ $i -lt $N ]; do start_node "n$i" --opennet || exit 1; i=$((i + 1)); done
w n0 noderef >"$T/seed"
t0=$(date +%s)
i=1
while [ $i -lt $N ]; do w "n$i" seed add "$(cat "$T/seed")"; i=$((i + 1)); done
# settle: until no node gains a peer for 20 s, or 180 s
last="" same=0
while [ $(($(date +%s) - t0)) -lt 180 ] && [ $same -lt 4 ]; do
	sleep 5
	now=""
	i=0
	while [ $i -lt $N ]; do now="$now $(field "n$i" 'd["opennet"]["peers"]')"; i=$((i + 1)); done
	if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
	last=$now
done
echo "real opennet: $N nodes settled in $(($(date +%s) - t0)) s; opennet peers:$last"
ok_n=0
: >"$T/hops"
d=0
while [ $d -lt "$D" ]; do
	at=$(rnd $((SEED * 3 + d)) "$N")
	from=$(rnd $((SEED * 7 + d)) "$N")
	[ "$from" = "$at" ] && from=$(((from + 1) % N))
	if put_get "$at" "$from" $((1024 + $(rnd $((SEED + d)) 15360))); then
		ok_n=$((ok_n + 1))
	fi
	d=$((d + 1))
done
sort -n "$T/hops" | awk -v n="$N" -v d="$D" -v ok="$ok_n" -v peers="$last" '
	{ h[NR] = $1; s += $1 }
	END {
		split(peers, p, " "); min = 1e9; ps = 0
		for (i in p) { ps += p[i]; if (p[i] + 0 < min) min = p[i] + 0 }
		printf "real OPENNET nodes=%d get_hops_q1=%d get_hops_median=%d get_hops_q3=%d get_hops_mean=%.2f get_success=%.1f%% peers_mean=%.1f peers_min=%d\n",
		    n, h[int((NR + 3) / 4)], h[int((NR + 1) / 2)], h[int((3 * NR + 3) / 4)], NR ? s / NR : 0, 100 * ok / d, ps / length(p), min
	}'
stats=$(i=0; while [ $i -lt $N ]; do field "n$i" '"%d %d %d %d" % (d["opennet"]["announces"], d["opennet"]["offers_made"], d["opennet"]["folds"], d["opennet"]["admitted"])'; i=$((i + 1)); done |
	awk '{ a += $1; o += $2; f += $3; m += $4 } END { printf "announces=%d offers=%d folds=%d admitted=%d", a, o, f, m }')
echo "real opennet totals: $stats"
