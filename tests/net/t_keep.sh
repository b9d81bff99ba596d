# wisp keep (issue 23): a document loses 30% of its blocks from every
# store; wisp check sees it, reading through the network only; wisp keep
# at another node repairs it (blocks rebuilt from the check blocks and
# inserted again), after which every block a fetch asks for is found.
. tests/net/lib.sh
WISP_TEST_ADMIN=1
export WISP_TEST_ADMIN
SEED=${WISP_TEST_SEED:-$(date +%s)}
echo "  seed $SEED (WISP_TEST_SEED=$SEED to repeat)"
N=4
i=0
while [ $i -lt $N ]; do start_node "n$i" || exit 1; i=$((i + 1)); done
i=0
while [ $i -lt $N ]; do
	j=$(((i + 1) % N))
	w "n$i" peer add "$(w "n$j" noderef)" >/dev/null
	w "n$j" peer add "$(w "n$i" noderef)" >/dev/null
	i=$((i + 1))
done
i=0
while [ $i -lt $N ]; do wait_for 10 connected "n$i" 2 || bad "n$i linked"; i=$((i + 1)); done
head -c 6000000 /dev/urandom >"$T/file"
uri=$(w n0 put -q "$T/file") || bad "insert"
root=$(python3 -c 'import base64,sys; k=sys.argv[1].split("@")[1].split(",")[0]; print(base64.urlsafe_b64decode(k + "=").hex())' "$uri")
everywhere() { # every content block some store holds, into $1
	: >"$1.tmp"
	_i=0
	while [ $_i -lt $N ]; do api "n$_i" GET "/api/v1/test/blocks?kind=chk" >>"$1.tmp"; _i=$((_i + 1)); done
	sort -u "$1.tmp" >"$1"
}
everywhere "$T/all"
grep -v "^$root\$" "$T/all" >"$T/keys"
python3 -c 'import random,sys; r=random.Random(int(sys.argv[1])); k=open(sys.argv[2]).read().split(); print("\n".join(r.sample(k, len(k) * 30 // 100)))' \
	"$SEED" "$T/keys" >"$T/drop"
ndrop=$(wc -l <"$T/drop")
i=0
while [ $i -lt $N ]; do api "n$i" POST /api/v1/test/drop --data-binary "@$T/drop" >/dev/null; i=$((i + 1)); done
present() { everywhere "$T/now"; grep -cxF -f "$T/drop" "$T/now"; }
check "$ndrop of $(wc -l <"$T/keys") blocks (30%) are gone from every store" [ "$(present)" -eq 0 ]
# A check reads the network without the checker's own store, so it runs
# at the reader (not n0, the publisher) whose store holds the fewest blocks
# that no other store holds: in a ring of four where each insert ended
# decides that, and a block only there is one the network lacks.
only_at() { # how many blocks node $1 alone holds
	: >"$T/o.rest"
	for nn in n0 n1 n2 n3; do
		[ "$nn" = "$1" ] || api $nn GET "/api/v1/test/blocks?kind=chk" >>"$T/o.rest"
	done
	api "$1" GET "/api/v1/test/blocks?kind=chk" | grep -cvxF -f "$T/o.rest"
}
kn=$(for nn in n1 n2 n3; do echo "$(only_at $nn) $nn"; done | sort -n | head -1 | awk '{ print $2 }')
far=$(for nn in n3 n1; do [ "$nn" = "$kn" ] || echo $nn; done | head -1)
echo "  the check runs at $kn, which alone holds $(only_at "$kn") block(s); $far fetches"

expect_exit 0 "wisp check at $kn: still retrievable (from the check blocks)" w $kn check "$uri"
before=$(cat "$T/out")
echo "  before: $before"
check "but it sees blocks missing" sh -c "echo '$before' | awk '{ exit !(\$2 < \$4) }'"
check "and repaired nothing" [ "$(present)" -eq 0 ]

expect_exit 0 "wisp keep at $kn" w $kn keep "$uri"
kept_once() { w $kn keep list | grep -q "last check [0-9]* min ago:"; }
check "its first check runs at once and ends" wait_for 120 kept_once
w $kn keep list >"$T/list"
echo "  $(tail -1 "$T/list")"
check "and says what it sent out again" grep -q "[1-9][0-9]* sent out again" "$T/list"
back=$(present)
echo "  $back of the $ndrop lost blocks are in a store again"
expect_exit 0 "wisp check after the repair" w $kn check "$uri"
after=$(cat "$T/out")
echo "  after: $after"
check "every block asked is found now" sh -c "echo '$after' | awk '{ exit !(\$2 == \$4) }'"
check "and the whole file fetches at $far, identical" sh -c "'$WISP' -d '$T/$far' get -q '$uri' | cmp -s - '$T/file'"
expect_exit 0 "keep of the same URI again: already kept" w $kn keep "$uri"
expect_exit 2 "keep of what is not a URI is refused" w $kn keep "CHK@nonsense"
expect_exit 0 "keep remove" w $kn keep remove "$uri"
check "and the list is empty" sh -c "'$WISP' -d '$T/$kn' keep list | grep -q 'no document is kept'"
expect_exit 2 "keep remove of a URI not kept is refused" w $kn keep remove "$uri"

# A site's edition kept alive by a node that holds its signed block: the
# block, lost from every other store, is sent out again from there.
signed_all() { # every signed block (an edition, or a node's address record) each store holds: "NODE KEY"
	for nn in n0 n1 n2 n3; do
		api $nn GET /api/v1/test/blocks | sort >"$T/b.all"
		api $nn GET "/api/v1/test/blocks?kind=chk" | sort >"$T/b.chk"
		comm -23 "$T/b.all" "$T/b.chk" | sed "s/^/$nn /"
	done
}
# Nodes publish their address records, signed blocks too, when their
# addresses change, and an insert's copies land along its path a moment
# after the put returns: each snapshot waits until two seconds pass with
# no change, and the edition is published again under a new name if an
# address record came with it, so that the one block new is the edition's.
settled() { signed_all >"$T/s.1"; sleep 2; signed_all >"$T/s.2"; cmp -s "$T/s.1" "$T/s.2"; }
try=0
while [ $try -lt 3 ]; do
	wait_for 30 settled || bad "the stores settle"
	awk '{ print $2 }' "$T/s.2" | sort -u >"$T/s.before"
	w n0 keygen >"$T/keys2" 2>/dev/null
	ins=$(sed -n 's/^insert: *SSK@//p' "$T/keys2")
	req=$(sed -n 's/^request: *SSK@//p' "$T/keys2")
	echo "edition 1" >"$T/ed1"
	w n0 put -q "$T/ed1" --key "USK@${ins}site/1" >/dev/null || bad "publish edition 1"
	wait_for 30 settled || bad "the stores settle"
	cp "$T/s.2" "$T/s.after"
	awk '{ print $2 }' "$T/s.after" | sort -u | comm -13 "$T/s.before" - >"$T/s.new"
	[ "$(wc -l <"$T/s.new")" -eq 1 ] && break
	try=$((try + 1))
done
holder=$(grep -F -f "$T/s.new" "$T/s.after" | head -1 | awk '{ print $1 }')
check "the edition's signed block is in a store ($(wc -l <"$T/s.new") new, at $holder)" [ -n "$holder" ]
for nn in n0 n1 n2 n3; do
	[ "$nn" = "$holder" ] || api $nn POST /api/v1/test/drop --data-binary "@$T/s.new" >/dev/null
done
elsewhere() { signed_all | grep -v "^$holder " | awk '{ print $2 }' | grep -cxF -f "$T/s.new"; }
check "then only $holder holds it" [ "$(elsewhere)" -eq 0 ]
expect_exit 0 "$holder keeps the edition (wisp keep USK@…/site/1)" w "$holder" keep "USK@${req}site/1"
kept_h() { w "$holder" keep list | grep -q "last check [0-9]* min ago:"; }
check "the check ends" wait_for 60 kept_h
some_elsewhere() { [ "$(elsewhere)" -gt 0 ]; }
check "and the signed block is in another store again" wait_for 20 some_elsewhere
echo "  now in $(elsewhere) other store(s); $holder's check: $(w "$holder" keep list | grep -o 'last check.*' | head -1)"
check "sent out again by $holder's check" sh -c "'$WISP' -d '$T/$holder' keep list | grep -q 'last check.*, [1-9][0-9]* sent out again'"
finish
