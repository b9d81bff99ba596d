# Routing across 20 real nodes in a small-world friend graph: a ring plus
# random chords, degree 3 to 6.
. tests/net/lib.sh

N=20
SEED=${WISP_TEST_SEED:-$(date +%s)}
echo "  seed $SEED (WISP_TEST_SEED=$SEED to repeat)"
small_world $N 6 "$SEED" || exit 1
echo "  $(wc -l <"$T/edges") links"
check "every link up" wait_for 20 all_up $N


# 50 documents of 1 KiB to 2 MiB at random nodes.
t_put=$(date +%s)
put_docs 50 2097152 $N "$SEED"

echo "  inserted 50 documents in $(($(date +%s) - t_put)) s"
t_get=$(date +%s)
# Each fetched from 3 other random nodes.
ok_n=0
tries=0
hops_sum=0
d=0
while [ $d -lt 50 ]; do
	k=0
	while [ $k -lt 3 ]; do
		from=$(rnd $((SEED * 7 + d * 3 + k)) $N)
		[ "$from" = "$(cat "$T/at$d")" ] && from=$(((from + 1) % N))
		tries=$((tries + 1))
		if w "n$from" get -q -v "$(cat "$T/uri$d")" -o "$T/got" 2>"$T/v" && cmp -s "$T/doc$d" "$T/got"; then
			ok_n=$((ok_n + 1))
			h=$(hops_of "$T/v")
			hops_sum=$((hops_sum + ${h:-0}))
		fi
		k=$((k + 1))
	done
	d=$((d + 1))
done
echo "  fetched $ok_n of $tries, byte-identical, in $(($(date +%s) - t_get)) s; mean hops $(awk -v s=$hops_sum -v n=$ok_n 'BEGIN { printf "%.2f", n ? s / n : 0 }')"
check "at least 98% of fetches succeed ($ok_n/$tries)" [ $((ok_n * 100)) -ge $((tries * 98)) ]

# A repeated fetch is served from caches nearer the requester.
# Caches nearer the requester: a chain c0 - c1 - c2 - c3 - c4 - c5 where
# only c0 holds ten documents (inserted before the links came up); c5
# fetches each twice. The requester's node and its neighbour cache
# nothing (the HTL rule); nodes further out do, so repeats come from
# nearer. Hop counts are estimates each hop randomises (docs/routing.md),
# so the check takes fewer hops or less time, summed over the ten.
i=0
while [ $i -le 5 ]; do start_node "c$i" || exit 1; i=$((i + 1)); done
d=0
while [ $d -lt 10 ]; do
	head -c 200000 /dev/urandom >"$T/chaindoc$d"
	w c0 put -q "$T/chaindoc$d" >"$T/churi$d"
	d=$((d + 1))
done
i=0
while [ $i -lt 5 ]; do
	w "c$i" peer add "$(w "c$((i + 1))" noderef)" >/dev/null
	w "c$((i + 1))" peer add "$(w "c$i" noderef)" >/dev/null
	i=$((i + 1))
done
wait_for 10 connected c5 1 && wait_for 10 connected c2 2 && wait_for 10 connected c3 2
h1=0; h2=0; t1=0; t2=0; okc=0
d=0
while [ $d -lt 10 ]; do
	a=$(date +%s%N)
	w c5 get -q -v "$(cat "$T/churi$d")" -o "$T/got" 2>"$T/v1" && cmp -s "$T/got" "$T/chaindoc$d" && okc=$((okc + 1))
	b=$(date +%s%N)
	w c5 get -q -v "$(cat "$T/churi$d")" -o "$T/got" 2>"$T/v2"
	c=$(date +%s%N)
	h1=$((h1 + $(hops_of "$T/v1")))
	h2=$((h2 + $(hops_of "$T/v2")))
	t1=$((t1 + (b - a) / 1000000)); t2=$((t2 + (c - b) / 1000000))
	d=$((d + 1))
done
echo "  chain of 5 links, 10 documents: first fetches $h1 hops in $t1 ms, repeated $h2 hops in $t2 ms"
check "all 10 crossed the chain intact" [ $okc -eq 10 ]
cache_of() { w "$1" status --json | sed -E 's/.*"cache": \{"blocks": ([0-9]+).*/\1/'; }
check "the requester's node caches nothing" [ "$(cache_of c5)" -eq 0 ]
check "nor its first neighbour" [ "$(cache_of c4)" -eq 0 ]
far=$(( $(cache_of c1) + $(cache_of c2) + $(cache_of c3) ))
# Whether anyone may cache depends on the per-link HTL coins: if they kept
# the request at HTL 16 or more as far as c1, the rule forbids caching
# anywhere on the chain.
if [ $far -eq 0 ]; then
	echo "  (no node cached: the links' coins kept HTL near the maximum down the chain)"
else
	check "repeated fetches come from nearer (fewer hops or less time)" [ $h2 -lt $h1 -o $t2 -lt $t1 ]
fi

# A key never inserted: exit 4, within the timeout bound.
never="CHK@AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8,ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8"
t0=$(date +%s)
expect_exit 4 "never-inserted key: not found" w n3 get -q "$never"
el=$(($(date +%s) - t0))
echo "  not found after $el s"
check "not found within 40 s" [ $el -le 40 ]

finish
