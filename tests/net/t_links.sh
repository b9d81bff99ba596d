# Links between friends: the darknet rule, reconnection, invites, bad input,
# and what the wire shows.
. tests/net/lib.sh

start_node a || exit 1
start_node b || exit 1
start_node c || exit 1
ref_a=$(w a noderef)
ref_b=$(w b noderef)
ref_c=$(w c noderef)
check "noderef is one wisp1: line" sh -c "echo '$ref_a' | grep -qx 'wisp1:[A-Za-z0-9_-]*'"

w a peer add "$ref_b" >/dev/null
w b peer add "$ref_a" >/dev/null
t0=$(date +%s%N)
check "a and b connect within 2 s" wait_for 2 connected a 1
check "b sees a connected" wait_for 2 connected b 1
echo "  (connected after $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
w a peer list >"$T/list"
check "peer list shows the friend connected" grep -q "connected since" "$T/list"

# c knows a, but a does not know c: refused, never counted as connected.
w c peer add "$ref_a" >/dev/null
sleep 1.5
check "a still has exactly one connected peer" connected a 1
check "c is not connected" connected c 0
refused=$(curl -s -H "Authorization: Bearer $(cat "$T/a/api.token")" "http://$(cat "$T/a/api.addr")/api/v1/peers" | sed -E 's/.*"handshakes_refused": ([0-9]+).*/\1/')
check "a counted refused handshakes ($refused)" [ "$refused" -ge 1 ]

# Mangled noderefs are caught before they reach the node.
bad=$(echo "$ref_b" | sed 's/.$/A/')
[ "$bad" = "$ref_b" ] && bad=$(echo "$ref_b" | sed 's/.$/B/')
expect_exit 2 "mangled noderef refused" w a peer add "$bad"
check "says it is damaged" grep -q "damaged" "$T/err"
expect_exit 2 "not a noderef" w a peer add "hello"

# kill -9 one side: the link comes back by itself within 10 s.
stop_node b KILL
check "a notices b is gone" wait_for 35 connected a 0
start_node b || exit 1
t0=$(date +%s%N)
check "link back within 10 s of restart" wait_for 10 connected a 1
echo "  (back after $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
check "b's peers persisted" connected b 1

# A friend that freezes (SIGSTOP: the socket stays open, nothing is read
# or sent) is found dead by the keep-alive timer within 30 s, and the link
# comes back once it thaws.
kill -STOP "$(cat "$T/b.pid")"
t0=$(date +%s)
check "a frozen friend is found dead within 35 s" wait_for 35 connected a 0
echo "  (dead after $(( $(date +%s) - t0 )) s)"
kill -CONT "$(cat "$T/b.pid")"
check "and relinked once it thaws" wait_for 15 connected a 1

# Garbage on the peer port closes that connection only.
pa=$(port_of a)
head -c 5000 /dev/urandom >"$T/junk"
bash -c "cat '$T/junk' >/dev/tcp/127.0.0.1/$pa" 2>/dev/null
printf '\377\377\000\000' >"$T/biglen"
bash -c "cat '$T/biglen' >/dev/tcp/127.0.0.1/$pa" 2>/dev/null
sleep 0.5
check "a still up after garbage" connected a 1
check "a's API still answers" sh -c "\"$WISP\" -d \"$T/a\" status >/dev/null"

# A replayed handshake capture of an earlier session is refused.
pb=$(port_of b)
"$RELAY" "$T/relay.port" "$pb" "$T/wire" &
PIDS="$PIDS $!"
wait_for 2 test -s "$T/relay.port"
pr=$(cat "$T/relay.port")
w c peer remove "$(w c peer list | cut -c1-10)" >/dev/null
# b must not dial c directly: a direct link would race the relayed one,
# and the pair keeps one of the two by their keys, so the traffic below
# might not cross the relay at all.
w b peer add "$("$REREF" "$ref_c" "127.0.0.1:1")" >/dev/null
w c peer add "$("$REREF" "$ref_b" "127.0.0.1:$pr")" >/dev/null
check "c links to b through the relay" wait_for 5 connected c 1
bash -c "head -c 482 '$T/wire' >/dev/tcp/127.0.0.1/$pb" 2>/dev/null
sleep 0.3
check "b still has its links after a replayed handshake" connected b 2
# A document with a random marker crosses the relayed link (c inserts it,
# its only friend is b, then fetches it back): the wire shows neither the
# marker nor the document's routing key.
marker=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=' | head -c 40)
{ head -c 50000 /dev/urandom; printf '%s' "$marker"; head -c 50000 /dev/urandom; } >"$T/marked"
muri=$(w c put -q "$T/marked")
w c get -q "$muri" -o "$T/marked.out"
check "the marked document made it across" cmp -s "$T/marked" "$T/marked.out"
check "bytes crossed the relay" [ "$(wc -c <"$T/wire")" -gt 100000 ]
check "the marker is not on the wire" sh -c "! grep -a -q -F '$marker' '$T/wire'"
# The wire shows neither identity.
pub_b=$(w b status --json | sed -E 's/.*"identity": "([^"]*)".*/\1/')
pub_c=$(w c status --json | sed -E 's/.*"identity": "([^"]*)".*/\1/')
hex_of() { printf '%s' "$1" | tr '_-' '/+' | sed 's/$/=/' | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
od -An -tx1 -v "$T/wire" | tr -d ' \n' >"$T/wire.hex"
rkey=$(echo "$muri" | sed -E 's/^CHK@([^,]*),.*/\1/')
check "the routing key is not on the wire" sh -c "! grep -q '$(hex_of "$rkey")' '$T/wire.hex'"
check "b's public key is not on the wire" sh -c "! grep -q '$(hex_of "$pub_b")' '$T/wire.hex'"
check "c's public key is not on the wire" sh -c "! grep -q '$(hex_of "$pub_c")' '$T/wire.hex'"
check "the hex of the wire is there to search" [ -s "$T/wire.hex" ]

# Invites: one paste links both sides, once.
start_node d || exit 1
start_node e || exit 1
inv=$(w a invite -q)
check "invite is one wisp1i: line" sh -c "echo '$inv' | grep -qx 'wisp1i:[A-Za-z0-9_-]*'"
w d peer add "$inv" >/dev/null
check "invite links d and a" wait_for 3 connected d 1
check "a lists d" sh -c "\"$WISP\" -d \"$T/a\" peer list | grep -qF -- \"$(w d status --json | sed -E 's/.*"identity": "([^"]*)".*/\1/')\""
w e peer add "$inv" >/dev/null
sleep 1.5
check "a second use of the invite is refused" connected e 0

finish
