# A friend gone bad (tests/net/rogue: the real link protocol, its own
# identity): garbage, a replayed record, a block that does not match its
# key, a flood of requests. Each fault closes that link only and backs the
# friend off for longer; a bad block is never stored or forwarded; a flood
# is answered RejectedOverload; the node keeps serving its good friends.
. tests/net/lib.sh
ROGUE="$BUILD/tests/net/rogue"

start_node a --log-level info || exit 1
start_node b || exit 1
w a peer add "$(w b noderef)" >/dev/null
w b peer add "$(w a noderef)" >/dev/null
wait_for 5 connected a 1
head -c 100000 /dev/urandom >"$T/doc"
uri=$(w a put -q "$T/doc")
me=$("$ROGUE" id "$T/rogue.key")
w a peer add "$me" >/dev/null
target=$(w a noderef)
rogue() { "$ROGUE" "$T/rogue.key" "$target" "$@"; }

check "garbage closes the link" [ "$(rogue garbage)" = closed ]
check "and is logged as the friend's first fault" wait_for 2 grep -q "fault 1" "$T/a.log"
check "the friend is refused at once after it" [ "$(rogue garbage)" = refused ]
check "the good friend's link stayed up" connected a 1
sleep 2.3
check "a replayed record closes the link (after a 2 s backoff)" [ "$(rogue replay)" = closed ]
sleep 4.3
out=$(rogue badblock)
bad_uri=$(echo "$out" | head -n 1)
check "a block that does not match its key closes the link (after 4 s more)" [ "$(echo "$out" | tail -n 1)" = closed ]
check "and is counted" sh -c "w() { '$WISP' -d '$T/a' \"\$@\"; }; w status --json | grep -q '\"verify_failed\": [1-9]'"
expect_exit 4 "the bad block was never stored (a get finds nothing)" w a get "$bad_uri" -o "$T/x"
expect_exit 4 "nor forwarded (b has nothing either)" w b get "$bad_uri" -o "$T/x"
sleep 4.3
check "after a third fault the backoff has doubled again (8 s): still refused at 4 s" [ "$(rogue flood 1)" = refused ]
sleep 4.2
out=$(rogue flood 20000)
echo "  flood: $out"
sent=$(echo "$out" | sed -n 's/^sent \([0-9]*\).*/\1/p')
over=$(echo "$out" | sed -n 's/.* overload \([0-9]*\).*/\1/p')
replies=$(echo "$out" | sed -n 's/.* replies \([0-9]*\).*/\1/p')
check "a flood of 20000 requests is accepted on the link" [ "${sent:-0}" -eq 20000 ]
check "every one is answered, none queued for later" [ "${replies:-0}" -eq 20000 ]
# How many are refused depends on how fast the node is (an ASan build is
# slower, and refuses more to its in-flight bound, fewer to the rate).
check "thousands are answered RejectedOverload, beyond the friend's share ($over)" [ "${over:-0}" -ge 1000 ]
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$(cat "$T/a.pid")/status")
echo "  node peak RSS during the flood: $((rss / 1024)) MB"
[ -n "${WISP_ASAN:-}" ] || check "the node's memory stayed bounded (peak RSS < 256 MB)" [ "$rss" -lt 262144 ]
w b get "$uri" -o "$T/back" 2>/dev/null
check "the good friend is still served, byte for byte" cmp -s "$T/doc" "$T/back"
check "and its link never dropped" connected b 1
finish
