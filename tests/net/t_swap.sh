# Location swapping between real wispd (docs/routing.md, "Swapping"): in
# a small friend network nodes swap, every location stays one of those
# there were (a swap exchanges, it never invents), a node keeps its own
# across a restart, swap = no keeps the key's, and a friend gone bad
# (tests/net/rogue) is refused: a flood of swap requests, a reveal that
# does not match its commitment, the same reveal again leave the link up;
# a malformed swap record closes it.
. tests/net/lib.sh
ROGUE="$BUILD/tests/net/rogue"
N=6
SEED=${WISP_TEST_SEED:-$(date +%s)}
echo "  seed $SEED (WISP_TEST_SEED=$SEED to repeat)"
small_world $N 3 "$SEED" || exit 1
check "every link up" wait_for 20 all_up $N

loc() { api "$1" GET /api/v1/status | sed -E 's/.*"swap": \{[^}]*"location": "([0-9a-f]*)".*/\1/'; }
swapped() { api "$1" GET /api/v1/status | sed -E 's/.*"swap": \{[^}]*"swapped": ([0-9]+).*/\1/'; }
i=0
while [ $i -lt $N ]; do loc "n$i" >>"$T/before"; i=$((i + 1)); done
check "each node starts where its key puts it, no two alike" [ "$(sort -u "$T/before" | wc -l)" -eq $N ]
some_swapped() {
	_i=0
	_s=0
	while [ $_i -lt $N ]; do _s=$((_s + $(swapped "n$_i"))); _i=$((_i + 1)); done
	[ $_s -ge 4 ]
}
check "nodes swap (a few swaps, counted at both ends, within 120 s)" wait_for 120 some_swapped
# a swap in flight moves its two ends one after the other: read when
# every node has said where it is twice alike
settled() {
	: >"$T/after"
	_i=0
	while [ $_i -lt $N ]; do loc "n$_i" >>"$T/after"; _i=$((_i + 1)); done
	sort "$T/after" >"$T/a1"
	sort "$T/before" >"$T/b1"
	cmp -s "$T/a1" "$T/b1"
}
check "the locations are those there were, each held once" wait_for 30 settled
check "and some node moved" sh -c "! cmp -s '$T/before' '$T/after'"
api n0 GET /api/v1/status | grep -o '"swap": {[^}]*}' | sed 's/^/  n0 /'

# A node keeps its location across a restart (DATADIR/location, sealed):
# the first one that moved.
m=$(paste -d ' ' "$T/before" "$T/after" | awk '$1 != $2 { print NR - 1; exit }')
lm=$(loc "n$m")
stop_node "n$m"
start_node "n$m" || exit 1
check "n$m, which moved, restarts where it was" [ "$(loc "n$m")" = "$lm" ]
check "its location file is sealed (no hex of it on disk)" sh -c "[ -s '$T/n$m/location' ] && ! grep -q '$lm' '$T/n$m/location'"

# swap = no: a node stays where its key puts it, and takes no part.
start_node fixed || exit 1
printf 'swap = no\n' >>"$T/fixed/wispd.conf"
stop_node fixed
start_node fixed || exit 1
w fixed peer add "$(w n1 noderef)" >/dev/null
w n1 peer add "$(w fixed noderef)" >/dev/null
fixed_loc=$(loc fixed)
check "swap = no is shown in the status" sh -c "'$WISP' -d '$T/fixed' status --json | grep -q '\"swap\": {\"on\": false'"

# A friend gone bad.
me=$("$ROGUE" id "$T/rogue.key")
w n2 peer add "$me" >/dev/null
target=$(w n2 noderef)
rogue() { "$ROGUE" "$T/rogue.key" "$target" "$@"; }
out=$(rogue swaps 200)
echo "  flood: $out"
refused=$(echo "$out" | sed -n 's/.* refused \([0-9]*\).*/\1/p')
replies=$(echo "$out" | sed -n 's/.* replies \([0-9]*\).*/\1/p')
check "200 swap requests at once leave the link up" sh -c "echo '$out' | grep -q ' open$'"
check "at most one of them is taken, the rest refused ($replies taken, $refused refused)" \
	[ $((${replies:-0} + ${refused:-0})) -eq 200 -a "${replies:-0}" -le 1 ]
check "the flood past the friend's rate is counted" sh -c "'$WISP' -d '$T/n2' status --json | grep -Eq '\"rate_limited\": [1-9]'"
out=$(rogue badreveal)
echo "  bad reveal: $out"
check "a reveal that does not match its commitment is refused, once, and the link stays up" \
	[ "$(echo "$out" | sed -n 's/.* refused \([0-9]*\) open$/\1/p')" = 1 ]
check "and counted" sh -c "'$WISP' -d '$T/n2' status --json | grep -q '\"bad_reveal\": 1'"
check "a malformed swap record closes the link" [ "$(rogue badswap)" = closed ]
check "and is logged as the friend's fault" wait_for 5 grep -q "malformed swap record" "$T/n2.log"
check "n2's good friends stay linked" wait_for 5 connected n2 "$(awk '$1 == 2 || $2 == 2' "$T/edges" | wc -l)"
check "the node with swap = no is still where its key put it" [ "$(loc fixed)" = "$fixed_loc" ]
finish
