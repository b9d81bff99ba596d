# A flash crowd (docs/routing.md, "Coalescing and overload"): friends
# fetching the same file at once must not wait for each other. Five friends
# all linked to each other, a 16 MiB file inserted at one; one friend
# fetches it alone, then four fetch it at the same moment: no request may
# wait out a hop deadline (the routing counters' timeouts stay 0) and every
# copy is whole. Then a 20-node small world: 8 nodes fetch one 8 MiB file
# at once, 8 others again, and the second wave is served mostly from the
# caches the first left on the way, not from the stores the insert filled.
. tests/net/lib.sh
counter() { w "$1" status --json | sed -E "s/.*\"$2\": ([0-9]+).*/\\1/"; }
sum_counter() { # sum_counter PREFIX N NAME: NAME summed over PREFIX0..PREFIX(N-1)
	_s=0 _i=0
	while [ $_i -lt "$2" ]; do _s=$((_s + $(counter "$1$_i" "$3"))); _i=$((_i + 1)); done
	echo $_s
}
ms() { echo $(( $(date +%s%N) / 1000000 )); }
hits() { # hits PART N: blocks read from partition PART (store or cache), summed over n0..n(N-1)
	_s=0 _i=0
	while [ $_i -lt "$2" ]; do
		_s=$((_s + $(w "n$_i" status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['store']['$1']['hits'])")))
		_i=$((_i + 1))
	done
	echo $_s
}

i=0
while [ $i -lt 5 ]; do start_node "k$i" || exit 1; w "k$i" noderef >"$T/kref$i"; i=$((i + 1)); done
head -c 16777216 /dev/urandom >"$T/file"
uri=$(w k0 put -q "$T/file")
i=0
while [ $i -lt 5 ]; do
	j=0
	while [ $j -lt 5 ]; do [ $i != $j ] && w "k$i" peer add "$(cat "$T/kref$j")" >/dev/null; j=$((j + 1)); done
	i=$((i + 1))
done
check "the five friends are all linked" wait_for 20 sh -c "for n in 0 1 2 3 4; do '$WISP' -d '$T/k'\$n status --json | grep -q '\"connected\": 4}' || exit 1; done"
t0=$(ms)
w k1 get -q "$uri" -o "$T/solo"
solo=$(( $(ms) - t0 ))
check "one friend fetches it alone" cmp -s "$T/file" "$T/solo"
rm -f "$T/solo"
to0=$(sum_counter k 5 timeouts)
t0=$(ms)
gets=""
for i in 1 2 3 4; do
	( w "k$i" get -q "$uri" -o "$T/crowd$i"; echo "$(( $(ms) - t0 ))" >"$T/crowd$i.ms" ) &
	gets="$gets $!"
done
wait $gets
times=$(cat "$T"/crowd[1-4].ms | tr '\n' ' ')
echo "  one alone: $solo ms; four at once: $times ms"
for i in 1 2 3 4; do check "crowd fetch $i is whole" cmp -s "$T/file" "$T/crowd$i"; done
to1=$(sum_counter k 5 timeouts)
echo "  coalesced: $(sum_counter k 5 coalesced), hop timeouts: $((to1 - to0))"
check "no request waited out a hop deadline" [ $((to1 - to0)) -eq 0 ]
i=0
while [ $i -lt 5 ]; do stop_node "k$i"; i=$((i + 1)); done

# Popular content gets faster: caches on the way serve the second wave.
N=20
SEED=${WISP_TEST_SEED:-$(date +%s)}
echo "  seed $SEED (WISP_TEST_SEED=$SEED to repeat)"
small_world $N 6 "$SEED" || exit 1
check "every link of the small world is up" wait_for 30 all_up $N
head -c 8388608 /dev/urandom >"$T/pop"
uri=$(w n0 put -q "$T/pop")
wave() { # wave FIRST: nodes FIRST..FIRST+7 fetch at once
	_t0=$(ms) _gets=""
	for _n in $(seq "$1" $(($1 + 7))); do
		( w "n$_n" get -q "$uri" -o "$T/pop$_n"; echo "$(( $(ms) - _t0 ))" >"$T/pop$_n.ms" ) &
		_gets="$_gets $!"
	done
	wait $_gets
}
s0=$(hits store $N); c0=$(hits cache $N); to0=$(sum_counter n $N timeouts)
wave 1
s1=$(hits store $N); c1=$(hits cache $N)
wave 9
s2=$(hits store $N); c2=$(hits cache $N); to2=$(sum_counter n $N timeouts)
whole=0
for n in $(seq 1 16); do cmp -s "$T/pop" "$T/pop$n" && whole=$((whole + 1)); done
echo "  wave 1: $(cat "$T"/pop[1-8].ms | sort -n | tr '\n' ' ')ms; blocks read from stores $((s1 - s0)), from caches $((c1 - c0))"
echo "  wave 2: $(for n in $(seq 9 16); do cat "$T/pop$n.ms"; done | sort -n | tr '\n' ' ')ms; from stores $((s2 - s1)), from caches $((c2 - c1))"
echo "  hop timeouts in both waves: $((to2 - to0))"
check "all 16 fetches are whole ($whole)" [ $whole -eq 16 ]
check "the second wave is served mostly from caches" [ $((c2 - c1)) -gt $((s2 - s1)) ]
check "no request waited out a hop deadline" [ $((to2 - to0)) -eq 0 ]
finish
