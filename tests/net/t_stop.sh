# SIGTERM in the middle of a large insert and of a large fetch: the node
# stops cleanly, its store verifies block by block, the clients fail with
# a clear message (never a silently short file), and after a restart the
# same insert and fetch complete byte for byte. Nothing here depends on
# how fast the machine is: the insert is fed through a pipe that is held
# half-written while the node stops, and the fetch's client is paused
# (SIGSTOP) once its output has grown, so the node stops mid-transfer.
. tests/net/lib.sh
stored_some() { [ "$(w "$1" status --json | sed -E 's/.*"store": \{"blocks": ([0-9]+).*/\1/')" -gt 0 ]; }
grown() { [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ]; }

start_node a --store-size 1G || exit 1
head -c 48000000 /dev/urandom >"$T/big"
mkfifo "$T/feed"
w a put -q - <"$T/feed" >"$T/uri" 2>"$T/err" &
putpid=$!
exec 3>"$T/feed"
head -c 24000000 "$T/big" >&3
check "the insert is under way (blocks stored)" wait_for 20 stored_some a
stop_node a TERM
exec 3>&-
wait $putpid
rc=$?
echo "  the interrupted put: exit $rc, $(head -c 160 "$T/err")"
check "an insert cut by SIGTERM fails" [ $rc -ne 0 ]
check "and says why" [ -s "$T/err" ]
check "the node removed its address files" [ ! -e "$T/a/api.addr" ]
out=$("$BUILD/tests/net/storetool" verify "$T/a/store")
echo "  store after the stop: $out"
check "its store verifies, block by block" sh -c "echo '$out' | grep -q ' 0 bad'"
start_node a --store-size 1G || exit 1
uri=$(w a put -q "$T/big")
w a get -q "$uri" -o "$T/back"
check "after a restart the insert completes, byte for byte" cmp -s "$T/big" "$T/back"

# A fetch from a friend, cut by the friend's SIGTERM.
start_node b || exit 1
w a peer add "$(w b noderef)" >/dev/null
w b peer add "$(w a noderef)" >/dev/null
wait_for 5 connected b 1
# To standard output, the stream: a paused client holds the node's fetch
# (a fetch into a file is a transfer, which t_transfer stops and resumes).
w b get -q "$uri" >"$T/part" 2>"$T/err" &
getpid=$!
check "the fetch is under way (1 MB written)" wait_for 20 grown "$T/part" 1000000
kill -STOP $getpid # b's fetch waits for its reader: a's blocks stay unsent
port=$(port_of a)
stop_node a TERM
kill -CONT $getpid
wait $getpid
rc=$?
echo "  the interrupted fetch: exit $rc, $(head -c 160 "$T/err")"
check "a fetch whose source stops fails" [ $rc -ne 0 ]
check "and says the stream was cut: $(head -c 100 "$T/err")" grep -q "stream ended early\|not found" "$T/err"
out=$("$BUILD/tests/net/storetool" verify "$T/a/store")
check "the stopped node's store verifies ($out)" sh -c "echo '$out' | grep -q ' 0 bad'"
start_node a --store-size 1G --listen "127.0.0.1:$port" || exit 1
wait_for 10 connected b 1
w b get -q "$uri" -o "$T/back2"
check "after the restart the fetch completes at once, byte for byte" cmp -s "$T/big" "$T/back2"
finish
