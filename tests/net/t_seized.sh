# A seized disk tells nothing (issue 26). Node a runs with protect =
# passphrase: friends b and c (one by invite, one by noderef), an opennet
# session through seed s, fetches, inserts, a kept document and a queued
# download. Then every file of a's data directory is searched for every
# friend's key and address, every routing key a's store held, the API
# token, each URI and each document's text (raw, hex, base64url, base64:
# tests/net/seek.c); a restart with the right passphrase has it all back,
# the wrong one changes nothing; after wisp panic nothing is left to find
# and a's old documents cannot be tested for. A node with protect = memory
# leaves nothing either, and the home page's panic form is guarded.
. tests/net/lib.sh
WISP_TEST_ADMIN=1
export WISP_TEST_ADMIN
SEEK="$BUILD/tests/net/seek"
# The test's own runtime directory (a real node's is in RAM): one place
# for a's token, searched apart from a's data directory.
mkdir -m 700 "$T/run"
XDG_RUNTIME_DIR="$T/run"
export XDG_RUNTIME_DIR
printf 'correct horse battery staple\n' >"$T/pass"
printf 'wrong horse\n' >"$T/wrong"

start_a() { # start_a PASSFILE [ARGS...]: node a, its passphrase from a descriptor
	_pf=$1; shift
	rm -f "$T/a/api.addr"
	"$WISPD" -d "$T/a" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground --store-size 64M --log-level info \
		--opennet --passphrase-fd 3 "$@" 3<"$_pf" 2>>"$T/a.log" &
	await_node a $!
}
token_a() { cat "$T"/run/wisp/*/api.token; }
api_a() { _m=$1 _p=$2; shift 2; curl -s -X "$_m" -H "Authorization: Bearer $(token_a)" "http://$(cat "$T/a/api.addr")$_p" "$@"; }
gone() { ! kill -0 "$(cat "$T/$1.pid")" 2>/dev/null; }
id_of() { w "$1" status --json | sed 's/.*"identity": "\([^"]*\)".*/\1/'; }
blocks_of() { w "$1" status --json | sed 's/.*"store": {"blocks": \([0-9]*\).*/\1/'; }

start_node b || exit 1
start_node c || exit 1
start_node s --opennet || exit 1
start_a "$T/pass" --protect passphrase --passphrase-cost interactive || exit 1
check "a says it is protected by a passphrase" sh -c "'$WISP' -d '$T/a' status | grep -q '^protect: passphrase'"
check "a's token is not in its data directory" test ! -e "$T/a/api.token"
# Alone, a keeps its own insert in its store: blocks to look for later.
head -c 90000 /dev/urandom >"$T/doc3"
u3=$(w a put -q "$T/doc3" --name mine.bin) || bad "a inserts"
# a node alone joins the opennet through its seed; then come its friends
w a seed add "$(w s noderef)" >/dev/null || bad "a keeps s as a seed"
wait_for 60 connected a 1 || bad "a joined the opennet through s"
w a peer add "$(w b invite)" --name bob >/dev/null || bad "a takes b's invite"
w a peer add "$(w c noderef)" >/dev/null && w c peer add "$(w a noderef)" >/dev/null || bad "a and c befriend"
w a invite >/dev/null
wait_for 30 connected a 3 || bad "a linked to b, c and the opennet seed s: $(w a status | head -2)"

# Documents: one from b, one from c, one of a's own; fetched, kept, queued.
i=0
while [ $i -lt 40 ]; do echo "the pamphlet line $i that someone wants censored, 2026" >>"$T/doc1"; i=$((i + 1)); done
head -c 200000 /dev/urandom >"$T/doc2"
u1=$(w b put -q "$T/doc1" --name "pamphlet.txt") || bad "b inserts"
u2=$(w c put -q "$T/doc2") || bad "c inserts"
w a get "$u1" -o "$T/out1" >/dev/null 2>&1 && cmp -s "$T/doc1" "$T/out1" || bad "a fetches b's document"
w a get "$u2" >"$T/out2" 2>/dev/null && cmp -s "$T/doc2" "$T/out2" || bad "a fetches c's document"
# b and c are friends of a only: their fetches of each other's documents
# pass through a, which caches the blocks on the way back.
w c get "$u1" >/dev/null 2>&1 || bad "c fetches b's document through a"
w b get "$u2" >/dev/null 2>&1 || bad "b fetches c's document through a"
w a keep "$u1" >/dev/null 2>&1 || bad "a keeps b's document"
w a get "$u2" -o "$T/out2b" --background >/dev/null 2>&1 || bad "a queues a download"
wait_for 20 test -s "$T/out2b" || bad "the queued download ended"

# The needles, while a runs.
: >"$T/needles"
for p in b c s; do
	echo "b64 key-of-$p $(id_of $p)" >>"$T/needles"
	echo "text addr-of-$p $(cat "$T/$p/node.addr")" >>"$T/needles"
	port=$(port_of $p)
	echo "hex rawaddr-of-$p 7f000001$(printf '%04x' "$port")" >>"$T/needles"
done
echo "b64 a-itself $(id_of a)" >>"$T/needles"
echo "text token $(token_a)" >>"$T/needles"
echo "b64 token-bytes $(token_a)" >>"$T/needles"
n=1
for u in "$u1" "$u2" "$u3"; do
	echo "text uri$n $u" >>"$T/needles"
	echo "b64 uri$n-routing $(echo "$u" | sed 's/^CHK@\([^,]*\),.*/\1/')" >>"$T/needles"
	echo "b64 uri$n-decrypt $(echo "$u" | sed 's/^CHK@[^,]*,\([^/]*\).*/\1/')" >>"$T/needles"
	n=$((n + 1))
done
stored() { api_a GET "/api/v1/test/blocks" | sed 's/^/hex stored-block /' >"$T/stored"; test "$(wc -l <"$T/stored")" -ge 5; }
wait_for 20 stored # the cache is written in batches
check "a's store holds blocks to look for ($(wc -l <"$T/stored"))" test "$(wc -l <"$T/stored")" -ge 5
cat "$T/stored" >>"$T/needles"
for d in doc1 doc2 doc3; do
	"$BUILD/tests/net/datakeys" "$T/$d" | sed "s/^/hex $d-block /" >>"$T/needles"
done
echo "text doc1-text the pamphlet line 17 that someone wants censored" >>"$T/needles"
echo "hex doc2-bytes $(head -c 48 "$T/doc2" | od -An -tx1 | tr -d ' \n')" >>"$T/needles"
echo "hex doc3-bytes $(tail -c 48 "$T/doc3" | od -An -tx1 | tr -d ' \n')" >>"$T/needles"
# The control: the same needles are found where they are in the clear.
mkdir "$T/ctl"
w a peer list >"$T/ctl/peers"; w a keep list >"$T/ctl/keep"; cp "$T/doc1" "$T/doc2" "$T/ctl/"
cp "$T/s/node.addr" "$T/ctl/s.addr"; token_a >"$T/ctl/token"
"$SEEK" "$T/ctl" "$T/needles" >"$T/ctl.out"
check "the search finds the needles where they are in the clear (control: $(tail -1 "$T/ctl.out"))" \
	sh -c "grep -q 'key-of-b as base64url' '$T/ctl.out' && grep -q 'addr-of-s as text' '$T/ctl.out' && grep -q 'doc1-text as text' '$T/ctl.out' && grep -q 'token as text' '$T/ctl.out' && grep -q 'doc2-bytes as raw' '$T/ctl.out'"

blocks=$(blocks_of a)
ida=$(id_of a)
w a stop >/dev/null 2>&1 || bad "a stops"
wait_for 10 gone a
"$SEEK" "$T/a" "$T/needles" >"$T/seek.out"
check "nothing of it in a's data directory ($(tail -1 "$T/seek.out"))" test $? -eq 0
grep '^found' "$T/seek.out" | head -5
check "the opennet peers and the transfer queue were written (sealed)" test -s "$T/a/opennet.peers" -a -s "$T/a/transfers/queue"

# The right passphrase: all of it back.
start_a "$T/pass" || bad "a starts again with its passphrase"
check "same identity" test "$(id_of a)" = "$ida"
check "its friends: bob and c" sh -c "'$WISP' -d '$T/a' peer list | grep -q '^bob: ' && test \$('$WISP' -d '$T/a' peer list | grep -c friend) -eq 2"
check "its store: $blocks blocks" test "$(blocks_of a)" = "$blocks"
check "its kept document" sh -c "'$WISP' -d '$T/a' keep list | grep -qF '$u1'"
check "its transfers" sh -c "'$WISP' -d '$T/a' transfers | grep -q out2b"
api_a GET "/api/v1/test/blocks" | sed 's/^/hex stored-block /' >"$T/stored.after"
check "the same blocks in its store" cmp -s "$T/stored" "$T/stored.after"
w a stop >/dev/null 2>&1
wait_for 10 gone a

# The wrong passphrase: one clear line, exit 3, nothing changed.
sums() { find "$T/a" -type f ! -name wispd.lock -exec sha256sum {} + | sort; }
sums >"$T/sums.before"
"$WISPD" -d "$T/a" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground --passphrase-fd 3 3<"$T/wrong" 2>"$T/wrong.err"
rc=$?
check "a wrong passphrase exits 3 (exit $rc)" test $rc -eq 3
check "with one line saying so: $(cat "$T/wrong.err")" sh -c "test \$(wc -l <'$T/wrong.err') -eq 1 && grep -q 'wrong passphrase' '$T/wrong.err'"
sums >"$T/sums.after"
check "and nothing in the data directory changed" cmp -s "$T/sums.before" "$T/sums.after"
expect_exit 1 "wisp passphrase with the wrong current one changes nothing" sh -c "printf 'nope\nnew one\n' | '$WISP' -d '$T/a' passphrase --passphrase-fd 0"
sums >"$T/sums.after"
check "(still nothing)" cmp -s "$T/sums.before" "$T/sums.after"

# wisp passphrase: only the key file is written.
printf 'correct horse battery staple\nsecond passphrase\n' | w a passphrase --passphrase-fd 0 --cost interactive 2>/dev/null
check "wisp passphrase changes it" test $? -eq 0
sums >"$T/sums.after"
check "rewriting master.key alone" sh -c "diff '$T/sums.before' '$T/sums.after' | grep '^[<>]' | grep -v master.key | grep -q . && exit 1 || exit 0"
check "the old passphrase no longer opens it" sh -c "'$WISPD' -d '$T/a' --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground --passphrase-fd 3 3<'$T/pass' 2>/dev/null; test \$? -eq 3"
printf 'second passphrase\n' >"$T/pass2"
start_a "$T/pass2" || bad "the new one does"
check "same friends after the new passphrase" test "$(w a peer list | grep -c friend)" -eq 2

# Panic: the key goes at once, the node stops, nothing can be found or tested.
expect_exit 0 "wisp panic" w a panic --yes
wait_for 10 gone a
check "a stopped" gone a
check "no master.key left" test ! -e "$T/a/master.key"
"$SEEK" "$T/a" "$T/needles" >"$T/seek.out"
check "after the panic, still nothing to find ($(tail -1 "$T/seek.out"))" test $? -eq 0
start_a "$T/pass" || bad "a starts after the panic (a new passphrase asked, the old one given)"
check "as a new node: another identity" test "$(id_of a)" != "$ida"
check "no friends" test "$(w a peer list | grep -c friend)" -eq 0
check "an empty store" test "$(blocks_of a)" -eq 0
check "nothing of the old directory is left" sh -c "test ! -e '$T/a/store.dead' && test ! -e '$T/a/panicked'"
check "its store lists none of the old blocks" test -z "$(api_a GET /api/v1/test/blocks)"
w a stop >/dev/null 2>&1
wait_for 10 gone a

# protect = memory: nothing secret is written at all.
mkdir -m 700 "$T/m"
start_node m --protect memory || exit 1
w m peer add "$(w b noderef)" >/dev/null && w b peer add "$(w m noderef)" >/dev/null
wait_for 20 connected m 1 || bad "m linked to b"
head -c 70000 /dev/urandom >"$T/doc4"
u4=$(w b put -q "$T/doc4") || bad "b inserts (to m, its one live friend)"
w m get "$u4" | cmp -s - "$T/doc4" || bad "m fetches it"
echo "text uri4 $u4" >>"$T/needles"
"$BUILD/tests/net/datakeys" "$T/doc4" | sed "s/^/hex doc4-block /" >>"$T/needles"
echo "b64 key-of-m $(id_of m)" >>"$T/needles"
idm=$(id_of m)
stop_node m
check "m left no secret file: $(ls "$T/m" | tr '\n' ' ')" sh -c "test -z \"\$(ls '$T/m' | grep -v -x -e wispd.conf -e wispd.lock -e store -e transfers)\""
"$SEEK" "$T/m" "$T/needles" >"$T/seek.out"
check "nothing of m's run in its directory ($(tail -1 "$T/seek.out"))" test $? -eq 0
start_node m || exit 1
check "m restarted is a new node, without friends" sh -c "test '$(id_of m)' != '$idm' && test \$('$WISP' -d '$T/m' peer list | grep -c friend) -eq 0"
stop_node m

# A node without protection takes a passphrase at a restart with
# protect = passphrase: the same node, its token gone from the disk.
start_node u || exit 1
idu=$(id_of u)
check "an unprotected node keeps its token in its data directory" test -s "$T/u/api.token"
stop_node u
rm -f "$T/u/api.addr"
"$WISPD" -d "$T/u" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground --log-level warn --protect passphrase \
	--passphrase-cost interactive --passphrase-fd 3 3<"$T/pass" 2>>"$T/u.log" &
await_node u $! || exit 1
check "protect = passphrase at a restart wraps its key: the same node, protected" \
	sh -c "test '$(id_of u)' = '$idu' && '$WISP' -d '$T/u' status | grep -q '^protect: passphrase' && test ! -e '$T/u/api.token'"
stop_node u
check "and it then asks for that passphrase" sh -c "'$WISPD' -d '$T/u' --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground --passphrase-fd 3 3<'$T/wrong' 2>/dev/null; test \$? -eq 3"

# Hostile or damaged files: each refused with a line naming the file,
# never read as an empty node.
start_node v || exit 1
stop_node v
cp -a "$T/v" "$T/v.good"
try_v() { timeout 60 "$WISPD" -d "$T/v" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground 2>"$T/v.err"; }
cp "$T/u/identity" "$T/v/identity"
expect_exit 1 "another node's sealed identity is refused" try_v
check "in one line naming the file: $(cat "$T/v.err")" sh -c "test \$(wc -l <'$T/v.err') -eq 1 && grep -q 'v/identity: it does not open' '$T/v.err'"
rm -rf "$T/v"; cp -a "$T/v.good" "$T/v"
# one byte of M flipped: written as 0x01, it was already that in 1 of
# 256 runs, and the node then started (and the test waited on it)
b=$(od -A n -t u1 -j 20 -N 1 "$T/v/master.key" | tr -d ' ')
printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$T/v/master.key" bs=1 seek=20 conv=notrunc 2>/dev/null
expect_exit 1 "a damaged master.key is refused" try_v
check "naming it: $(cat "$T/v.err")" grep -q "master.key is damaged" "$T/v.err"
rm -rf "$T/v"; cp -a "$T/v.good" "$T/v"
rm "$T/v/master.key"
expect_exit 1 "sealed files without master.key are refused" try_v
check "saying the keys are gone: $(cat "$T/v.err")" grep -q "master.key is missing" "$T/v.err"
check "and no new key was made in their place" test ! -e "$T/v/master.key"

# The home page's panic form: refused without the page's token or the word.
home=$(curl -s "http://$(cat "$T/c/api.addr")/")
form=$(echo "$home" | sed -n 's/.*name=form value="\([0-9a-f]*\)".*/\1/p')
check "the home page has a panic form" test -n "$form"
code=$(curl -s -o /dev/null -w '%{http_code}' -d "form=0000&confirm=destroy" "http://$(cat "$T/c/api.addr")/panic")
check "a panic without the page's token is refused ($code)" test "$code" = 403
code=$(curl -s -o /dev/null -w '%{http_code}' -d "form=$form&confirm=please" "http://$(cat "$T/c/api.addr")/panic")
check "or without the word ($code)" test "$code" = 400
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Sec-Fetch-Site: cross-site' -d "form=$form&confirm=destroy" "http://$(cat "$T/c/api.addr")/panic")
check "or from another site ($code)" test "$code" = 403
check "and c still runs with its key" sh -c "kill -0 $(cat "$T/c.pid") && test -e '$T/c/master.key'"
code=$(curl -s -o /dev/null -w '%{http_code}' -d "form=$form&confirm=destroy" "http://$(cat "$T/c/api.addr")/panic")
wait_for 10 gone c
check "the form with both destroys c's key and stops it ($code)" sh -c "test '$code' = 200 && test ! -e '$T/c/master.key'"
finish
