# Erasure-coded files survive lost blocks, and heal: a 20 MiB file in a
# 10-node friend network, then a random 30% of its blocks (not the root)
# removed from every store with the test-only admin call; the fetch still
# returns identical bytes, and the blocks it found missing are back.
. tests/net/lib.sh

WISP_TEST_ADMIN=1
export WISP_TEST_ADMIN
N=10
SEED=${WISP_TEST_SEED:-$(date +%s)}
echo "  seed $SEED (WISP_TEST_SEED=$SEED to repeat)"
small_world $N 4 "$SEED" || exit 1
check "every link up" wait_for 20 all_up $N

healed() { w "$1" status --json | sed -E 's/.*"blocks_healed": ([0-9]+).*/\1/'; }
ms() { date +%s%3N; }

head -c $((20 << 20)) /dev/urandom >"$T/file"
t0=$(ms)
check "20 MiB inserted at n0" sh -c "'$WISP' -d '$T/n0' put -q '$T/file' >'$T/uri'"
echo "  insert: $(($(ms) - t0)) ms"
root=$(python3 -c 'import base64,sys; k=sys.argv[1].split("@")[1].split(",")[0]; print(base64.urlsafe_b64decode(k + "=").hex())' "$(cat "$T/uri")")

t0=$(ms)
check "undamaged fetch from n5 is identical" sh -c "'$WISP' -d '$T/n5' get -q '$(cat "$T/uri")' | cmp -s - '$T/file'"
t_whole=$(($(ms) - t0))

# Every block of the file, wherever it is; then 30% of them (not the
# root) out of every store.
i=0
: >"$T/all"
while [ $i -lt $N ]; do api "n$i" GET "/api/v1/test/blocks?kind=chk" >>"$T/all"; i=$((i + 1)); done
sort -u "$T/all" | grep -v "^$root\$" >"$T/keys"
total=$(wc -l <"$T/keys")
python3 -c 'import random,sys; r=random.Random(int(sys.argv[1])); k=open(sys.argv[2]).read().split(); print("\n".join(r.sample(k, len(k) * 30 // 100)))' \
	"$SEED" "$T/keys" >"$T/drop"
ndrop=$(wc -l <"$T/drop")
echo "  the file is $total blocks besides its root: 640 data, 640 check, and an index of 3 and its 11 checks"
check "the network holds all 1,294 non-root blocks" [ "$total" -eq 1294 ]
i=0
while [ $i -lt $N ]; do api "n$i" POST /api/v1/test/drop --data-binary "@$T/drop" >/dev/null; i=$((i + 1)); done
present() { # present: how many of $T/drop some store holds
	: >"$T/now"
	_i=0
	while [ $_i -lt $N ]; do api "n$_i" GET "/api/v1/test/blocks?kind=chk" >>"$T/now"; _i=$((_i + 1)); done
	sort -u "$T/now" | grep -cxF -f "$T/drop"
}
check "$ndrop blocks (30%) are gone from every store" [ "$(present)" -eq 0 ]
expect_exit 0 "an unknown admin key is refused whole" sh -c "
	printf 'zz\n' | curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer $(cat "$T/n0/api.token")' \
	--data-binary @- 'http://$(cat "$T/n0/api.addr")/api/v1/test/drop' | grep -qx 400"

t0=$(ms)
check "the damaged file still fetches from n7, identical" sh -c "'$WISP' -d '$T/n7' get -q '$(cat "$T/uri")' | cmp -s - '$T/file'"
t_damaged=$(($(ms) - t0))
echo "  fetch: undamaged $t_whole ms, with 30% of blocks lost $t_damaged ms"

# Healing: what n7 found missing it rebuilt and inserted again; every
# data block is among those, as a whole fetch asks for each.
n7_healed() { [ "$(healed n7)" -gt 0 ]; }
check "n7 healed blocks" wait_for 30 n7_healed
"$BUILD/tests/net/datakeys" "$T/file" | grep -xF -f "$T/drop" >"$T/lostdata"
data_back() { # every removed data block is in some store again
	: >"$T/now"
	_i=0
	while [ $_i -lt $N ]; do api "n$_i" GET "/api/v1/test/blocks?kind=chk" >>"$T/now"; _i=$((_i + 1)); done
	[ "$(sort -u "$T/now" | grep -cxF -f "$T/lostdata")" -eq "$(wc -l <"$T/lostdata")" ]
}
check "all $(wc -l <"$T/lostdata") removed data blocks are back" wait_for 90 data_back
h=$(healed n7)
back=$(present)
echo "  n7 re-inserted $h blocks; $back of the $ndrop removed are back in the network"
check "every re-inserted block is back ($back of $h)" [ "$back" -ge "$h" ]
check "a second fetch from n3 is identical" sh -c "'$WISP' -d '$T/n3' get -q '$(cat "$T/uri")' | cmp -s - '$T/file'"

# Too much lost: one segment's checks and more of its data are gone.
head -c $((4 << 20)) /dev/urandom >"$T/small"
w n2 put -q --redundancy 25 "$T/small" >"$T/uri2"
root2=$(python3 -c 'import base64,sys; k=sys.argv[1].split("@")[1].split(",")[0]; print(base64.urlsafe_b64decode(k + "=").hex())' "$(cat "$T/uri2")")
: >"$T/all2"
i=0
while [ $i -lt $N ]; do api "n$i" GET "/api/v1/test/blocks?kind=chk" >>"$T/all2"; i=$((i + 1)); done
sort -u "$T/all2" | grep -vxF -f "$T/all" | grep -v "^$root2\$" >"$T/keys2"
# a 4 MiB file at 25% is 128 data and 32 check blocks and a root: drop 80
head -n 80 "$T/keys2" >"$T/drop"
i=0
while [ $i -lt $N ]; do api "n$i" POST /api/v1/test/drop --data-binary "@$T/drop" >/dev/null; i=$((i + 1)); done
expect_exit 4 "a segment that lost more than it can fails with exit 4" w n8 get -q "$(cat "$T/uri2")" -o "$T/x"
check "naming how many blocks were missing" grep -q "of the 160 blocks of segment 1 of 1 are missing" "$T/err"

# The form before erasure coding still inserts and fetches across nodes.
head -c $((3 << 20)) /dev/urandom >"$T/plainfile"
check "a plain tree (--redundancy 0) fetches across the network" sh -c "
	'$WISP' -d '$T/n1' put -q --redundancy 0 '$T/plainfile' >'$T/uri3' &&
	'$WISP' -d '$T/n6' get -q \"\$(cat '$T/uri3')\" | cmp -s - '$T/plainfile'"
expect_exit 2 "--redundancy above 100 is refused" w n1 put -q --redundancy 101 "$T/plainfile"

unset WISP_TEST_ADMIN
start_node plain || exit 1
expect_exit 0 "without WISP_TEST_ADMIN the admin calls do not exist" sh -c "
	curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $(cat "$T/plain/api.token")' \
	'http://$(cat "$T/plain/api.addr")/api/v1/test/blocks' | grep -qx 404"
finish
