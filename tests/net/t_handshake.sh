# The handshake against a recorder and a flood (docs/threat-model.md):
# message 1 of Noise IK recorded off the wire and replayed later from
# another socket gets no answer, hijacks nothing and rolls back no address;
# a message 1 the node never saw is answered but the link is not up before
# the initiator's first record decrypts (key confirmation); 1000 idle
# connections do not keep a friend from linking.
. tests/net/lib.sh
SOCKETS="python3 tests/net/sockets.py"
pid_alive() { kill -0 "$1" 2>/dev/null; }
refused() { api "$1" GET /api/v1/peers | sed -E 's/.*"handshakes_refused": ([0-9]+).*/\1/'; }
c_listed_at() { # c_listed_at PORT: b's peer list shows c (not linked) at 127.0.0.1:PORT
	w b peer list | grep -e "$id_c" | grep -q "127.0.0.1:$1 .*not connected"
}

start_node b || exit 1
start_node c || exit 1
head -c 300000 /dev/urandom >"$T/doc"
uri=$(w b put -q "$T/doc") # b has no friend yet: the document is b's alone
id_c=$(w c status --json | sed -E 's/.*"identity": "([^"]*)".*/\1/' | cut -c1-10)

# c links to b through a relay that records the wire.
pb=$(port_of b)
"$RELAY" "$T/relay.port" "$pb" "$T/wire" &
PIDS="$PIDS $!"
wait_for 2 test -s "$T/relay.port"
w b peer add "$(w c noderef)" >/dev/null
w c peer add "$("$REREF" "$(w b noderef)" "127.0.0.1:$(cat "$T/relay.port")")" >/dev/null
check "c links to b through the recording relay" wait_for 5 connected b 1
head -c 482 "$T/wire" >"$T/msg1"
old_port=$(port_of c)

# c goes away; the recording is replayed from another socket, held open,
# and c comes back (on a new port) and dials after it.
stop_node c
wait_for 5 connected b 0
$SOCKETS replay "$pb" "$T/msg1" 8 >"$T/replay.out" &
rp=$!
PIDS="$PIDS $rp"
sleep 0.5
check "the replay is not taken for c" connected b 0
start_node c || exit 1
t0=$(date +%s%N)
check "the real c links within 5 s, replay or not" wait_for 5 connected b 1
check "and a fetch of b's document through it succeeds within 5 s" \
	timeout 5 "$WISP" -d "$T/c" get -q "$uri" -o "$T/got"
check "byte for byte" cmp -s "$T/doc" "$T/got"
echo "  linked and fetched $(( ($(date +%s%N) - t0) / 1000000 )) ms after c came back"
sleep 2
check "the link stays up (no duplicate cut it)" connected b 1
wait "$rp"
check "the replay got no answer at all (no oracle)" [ "$(cat "$T/replay.out")" = 0 ]
# Replayed while c is linked: still nothing, and b keeps c's new address.
$SOCKETS replay "$pb" "$T/msg1" 1 >"$T/replay2.out"
check "a second replay while c is linked: no answer" [ "$(cat "$T/replay2.out")" = 0 ]
check "c is still linked" connected b 1
new_port=$(port_of c)
stop_node c
wait_for 5 connected b 0
check "b keeps c's new address ($new_port), not the replayed one ($old_port)" c_listed_at "$new_port"
nref=$(refused b)
check "b counted the replays as refused handshakes ($nref)" [ "${nref:-0}" -ge 2 ]

# A message 1 b never saw: d dials a recorder instead of b (and b cannot
# dial d), then the recording is played to b.
$SOCKETS record "$T/rec.port" "$T/fresh" &
PIDS="$PIDS $!"
wait_for 3 test -s "$T/rec.port"
start_node d || exit 1
w b peer add "$("$REREF" "$(w d noderef)" "127.0.0.1:1")" >/dev/null
w d peer add "$("$REREF" "$(w b noderef)" "127.0.0.1:$(cat "$T/rec.port")")" >/dev/null
check "d's message 1 was recorded" wait_for 5 sh -c "[ \$(wc -c <'$T/fresh') -eq 482 ]"
stop_node d
$SOCKETS replay "$pb" "$T/fresh" 3 >"$T/replay3.out" &
rp=$!
PIDS="$PIDS $rp"
sleep 1
check "unconfirmed, it does not count d as linked" connected b 0
wait "$rp"
check "(b did answer it: it was newer than any it had seen)" [ "$(cat "$T/replay3.out")" -gt 0 ]

# 1000 idle connections from 100 addresses, reopened as fast as they are
# closed, while a friend dials: it links within 2 s.
start_node e || exit 1
start_node f || exit 1
pe=$(port_of e)
w e peer add "$("$REREF" "$(w f noderef)" "127.0.0.1:1")" >/dev/null # e cannot dial f: f must get in
$SOCKETS flood "$pe" 1000 100 15 >"$T/flood.out" &
fp=$!
PIDS="$PIDS $fp"
sleep 2
t0=$(date +%s%N)
w f peer add "$(w e noderef)" >/dev/null
check "a friend links within 2 s through 1000 idle connections" wait_for 2 connected e 1
echo "  linked in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "e's API answers meanwhile" sh -c "'$WISP' -d '$T/e' status >/dev/null"
wait "$fp"
echo "  the flood opened $(cat "$T/flood.out") connections in 15 s"
check "the flood was refused or timed out, not served" [ "$(refused e)" -ge 100 ]
check "and e stays up with its friend" connected e 1
finish
