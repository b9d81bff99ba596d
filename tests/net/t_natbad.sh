# Bad input to the address finder and meetings (issue 22), on loopback:
# false claims of this node's address, a flood of meeting asks, a
# malformed address record. Each is refused or dropped with a log line,
# and the node keeps serving its good friend.
. tests/net/lib.sh
ROGUE="$BUILD/tests/net/rogue"

start_node a --log-level info || exit 1
start_node b --log-level info || exit 1
w a peer add "$(w b noderef)" >/dev/null
w b peer add "$(w a noderef)" >/dev/null
wait_for 5 connected a 1
target=$(w a noderef)
for r in r1 r2; do w a peer add "$("$ROGUE" id "$T/$r.key")" >/dev/null; done
rogue() { _k=$1; shift; "$ROGUE" "$T/$_k.key" "$target" "$@"; }
addrs() { w a status | sed -n 's/^address: //p'; }

rogue r1 claim 127.0.0.1:9 >/dev/null
rogue r2 claim 127.0.0.1:9 >/dev/null
rogue r1 claim 224.0.0.1:9 >/dev/null
rogue r2 claim 224.0.0.1:9 >/dev/null
check "claims of a loopback or multicast address are not taken, even from two peers" sh -c "! '$WISP' -d '$T/a' status | grep -q 'seen by'"
rogue r1 claim 203.0.113.99:4000 >/dev/null
rogue r1 claim 203.0.113.99:4000 >/dev/null
check "one peer saying it twice is one vote: not taken" sh -c "! '$WISP' -d '$T/a' status | grep -q '203.0.113.99'"
rogue r2 claim 203.0.113.99:4000 >/dev/null
check "a second peer agreeing makes it the public address" wait_for 5 sh -c "'$WISP' -d '$T/a' status | grep -q '^address: 203.0.113.99:4000 (seen by 2 peers), 127.0.0.1:'"
check "and a says so in its log" grep -q "public address is 203.0.113.99:4000 (seen by 2 peers)" "$T/a.log"
check "the public address is told to the friend b" wait_for 5 grep -q "a friend's addresses changed: 203.0.113.99:4000 first" "$T/b.log"
rogue r1 claim 127.0.0.1:9 >/dev/null
check "a public node logs a false claim" wait_for 5 grep -q "says this node is at 127.0.0.1:9: not a public address, ignored" "$T/a.log"

check "a flood of 3000 meeting asks does not close the link (dropped, not a fault)" [ "$(rogue r1 asks 3000)" = open ]
check "and is logged" grep -q "asks for meetings too fast" "$T/a.log"
check "the good friend stays linked" connected a 1
check "a malformed address record closes that link" [ "$(rogue r2 badnat)" = closed ]
check "as the friend's fault" wait_for 2 grep -q "malformed address or meeting record" "$T/a.log"
check "the good friend is still linked" connected a 1
finish
