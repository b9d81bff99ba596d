# Opennet: 15 nodes that know only one seed grow their own links by
# announcement and path folding; fetches across them succeed; a
# darknet-only node beside them never takes a stranger.
. tests/net/lib.sh

N=15
SEED=${WISP_TEST_SEED:-$(date +%s)}
echo "  seed $SEED (WISP_TEST_SEED=$SEED to repeat)"
# field NAME EXPR: a value from node NAME's status, by a Python expression over d
field() { w "$1" status --json | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }

# the last node keeps at most 10 opennet peers: the limit must hold while
# 14 others could link with it
mkdir -p "$T/n$((N - 1))" && chmod 700 "$T/n$((N - 1))"
echo "opennet-peers = 10" >"$T/n$((N - 1))/wispd.conf"
i=0
while [ $i -lt $N ]; do start_node "n$i" --opennet || exit 1; i=$((i + 1)); done
w n0 noderef >"$T/seed"
i=1
while [ $i -lt $N ]; do w "n$i" seed add "$(cat "$T/seed")" || bad "seed add at n$i"; i=$((i + 1)); done
check "status --json is one JSON object, opennet on" [ "$(field n0 'd["opennet"]["on"]')" = True ]
check "seed list shows the seed" sh -c "'$WISP' -d '$T/n1' seed list | grep -qx '$(cat "$T/seed")'"
expect_exit 2 "seed add of a mangled noderef" w n1 seed add "wisp1:AAAA"

# every node at 8 opennet peers or more
enough() {
	_e=0
	while [ $_e -lt $N ]; do
		[ "$(field "n$_e" 'd["opennet"]["peers"]')" -ge 8 ] || return 1
		_e=$((_e + 1))
	done
}
t0=$(date +%s)
if wait_for 90 enough; then
	ok "all $N nodes reached 8 opennet peers from one seed in $(($(date +%s) - t0)) s"
else
	bad "not every node reached 8 opennet peers in 90 s"
fi
peers=""
i=0
while [ $i -lt $N ]; do peers="$peers $(field "n$i" 'd["opennet"]["peers"]')"; i=$((i + 1)); done
echo "  opennet peers per node:$peers"
last=$(field "n$((N - 1))" 'd["opennet"]["peers"]')
check "the node limited to 10 opennet peers keeps 8 to 10 ($last)" [ "$last" -ge 8 -a "$last" -le 10 ]

# 50 documents of 1 KiB to 256 KiB at random nodes, each fetched from another
put_docs 50 262144 $N "$SEED"
ok_n=0
hops=""
d=0
while [ $d -lt 50 ]; do
	from=$(rnd $((SEED * 7 + d)) $N)
	[ "$from" = "$(cat "$T/at$d")" ] && from=$(((from + 1) % N))
	if w "n$from" get -v "$(cat "$T/uri$d")" -o "$T/got" 2>"$T/v" && cmp -s "$T/doc$d" "$T/got"; then
		ok_n=$((ok_n + 1))
		hops="$hops $(hops_of "$T/v")"
	fi
	d=$((d + 1))
done
echo "  fetched $ok_n/50; hops of the root block:$hops"
check "at least 98% of fetches across the opennet succeed ($ok_n/50)" [ "$ok_n" -ge 49 ]
folds=0
i=0
while [ $i -lt $N ]; do folds=$((folds + $(field "n$i" 'd["opennet"]["folds"]'))); i=$((i + 1)); done
echo "  path-folding offers seen: $folds"

# A stranger gone bad (tests/net/rogue): admitted, since its handshake
# proves its key, but its announcements are rationed and a malformed offer
# costs it the link.
ROGUE="$BUILD/tests/net/rogue"
out=$("$ROGUE" "$T/rogue.key" "$(cat "$T/seed")" announce 100)
echo "  rogue: $out"
over=$(echo "$out" | sed -n 's/.* overload \([0-9]*\).*/\1/p')
offers=$(echo "$out" | sed -n 's/.* offers \([0-9]*\).*/\1/p')
check "an opennet node admits a stranger that proves its key" [ -n "$over" ]
check "of 100 announcements at once from one stranger, at least 88 are refused (${over:-?})" [ "${over:-0}" -ge 88 ]
check "the ones relayed bring offers back (${offers:-?})" [ "${offers:-0}" -ge 1 ]
check "the stranger keeps its link meanwhile" sh -c "echo '$out' | grep -q 'open\$'"
check "an offer of nothing closes the stranger's link" [ "$("$ROGUE" "$T/rogue2.key" "$(w n1 noderef)" badoffer)" = closed ]
check "and the node goes on serving" w n1 get -q "$(cat "$T/uri2")" -o "$T/got"

# A darknet-only node D, the friend of opennet node n1
start_node dark || exit 1
w dark noderef >"$T/dref"
w dark peer add "$(w n1 noderef)" >/dev/null
w n1 peer add "$(cat "$T/dref")" >/dev/null
check "the darknet node links with its opennet friend" wait_for 20 connected dark 1
did=$(field dark 'd["identity"]')
check "the friend sees it as a friend" sh -c "'$WISP' -d '$T/n1' peer list | grep -F -e '$did' | grep -q friend"
# a stranger that knows D's noderef, and other opennet nodes told to seed from it
start_node stranger --opennet || exit 1
w stranger seed add "$(cat "$T/dref")"
w n2 seed add "$(cat "$T/dref")"
sleep 3
# traffic through D: documents it inserts are fetched across the opennet
w dark put -q "$T/doc0" >"$T/duri" || bad "insert at the darknet node"
got=0
for k in 3 4 5 6 7; do w "n$k" get -q "$(cat "$T/duri")" -o "$T/got" && cmp -s "$T/doc0" "$T/got" && got=$((got + 1)); done
check "documents from the darknet node reach the opennet through its friend ($got/5)" [ "$got" -ge 4 ]
w n1 get -q "$(cat "$T/uri1")" -o "$T/got" >/dev/null 2>&1
check "the darknet node fetches through its friend" w dark get -q "$(cat "$T/uri3")" -o "$T/got"
sleep 2
refused=$(api dark GET /api/v1/peers | python3 -c 'import json,sys; print(json.load(sys.stdin)["handshakes_refused"])')
check "the darknet node refused the stranger's handshakes ($refused)" [ "$refused" -ge 1 ]
check "the darknet node has only its friend" [ "$(field dark 'd["peers"]["known"]')" -eq 1 ]
check "the darknet node runs no opennet" [ "$(field dark 'd["opennet"]["on"]')" = False ]
check "the stranger has no link to it" [ "$(field stranger 'd["peers"]["connected"]')" -eq 0 ]
check "a stranger speaking the protocol is refused by it" [ "$("$ROGUE" "$T/rogue3.key" "$(cat "$T/dref")" flood 1)" = refused ]
check "the darknet node relayed no announcement" [ "$(field dark 'd["opennet"]["announces_relayed"]')" -eq 0 ]

# A node restarted without its seeds rejoins through the opennet peers it
# had (DATADIR/opennet.peers, written at stop), as strangers still.
has_peers() { [ "$(field "$1" 'd["opennet"]["peers"]')" -ge "$2" ]; }
stop_node n6
check "a node writes down its opennet peers when it stops, sealed (no noderef in the clear)" \
	sh -c "test -s '$T/n6/opennet.peers' && ! grep -q 'wisp1:' '$T/n6/opennet.peers'"
rm -f "$T/n6/seeds"
start_node n6 --opennet || exit 1
check "restarted without seeds, it rejoins through the peers it wrote down" wait_for 30 has_peers n6 4
check "and they are opennet peers, not friends" sh -c "! '$WISP' -d '$T/n6' peer list | grep -q friend"

# Strangers are never saved: a node restarted without opennet has no peer.
stop_node n5
start_node n5 || exit 1
sleep 1
check "restarted without --opennet, a node kept no stranger" [ "$(field n5 'd["peers"]["known"]')" -eq 0 ]
check "and it keeps its seed for later" [ "$(field n5 'd["opennet"]["seeds"]')" -eq 1 ]

finish
