# Transfers (issue 23): no insert reports success that did not happen, and
# downloads and inserts are transfers of the node's queue that survive a
# kill -9 of the node and of a relay, resuming without fetching again what
# they had. Nothing waits on time: each step waits for an observed state
# (a transfer's state, a peer count, the blocks in an area).
. tests/net/lib.sh
WISP_TEST_ADMIN=1
export WISP_TEST_ADMIN
DATAKEYS="$BUILD/tests/net/datakeys"
REC=32868 # an area record (format 3): nonce, key and length, block, tag

json_num() { sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p" "$1" | head -1; }
xjson() { # xjson NODE ID: transfer ID of NODE, as JSON, into $T/x
	api "$1" GET "/api/v1/transfer?id=$2" >"$T/xj"
}
state_is() { xjson "$1" "$2" && grep -q "\"state\": \"$3\"" "$T/xj"; }
link() {
	w "$1" peer add "$(w "$2" noderef)" >/dev/null && w "$2" peer add "$(w "$1" noderef)" >/dev/null
}
area_blocks() { # area_blocks NODE ID: records in the transfer's area
	_s=$(stat -c %s "$T/$1/transfers/$2.blocks" 2>/dev/null || echo 16)
	echo $(((_s - 16) / REC))
}
stored() { w "$1" status --json | sed -E 's/.*"store": \{"blocks": ([0-9]+).*/\1/'; }

# ---- a node with no peer: a put that cannot be kept is refused ----
start_node a --store-size 256M || exit 1
head -c 100000000 /dev/urandom >"$T/f100"
head -c 50000000 "$T/f100" >"$T/f50"
expect_exit 1 "a 100 MB put into a peerless node with 128 MiB for inserts is refused" w a put "$T/f100"
check "with one line that says why and what to do" sh -c "grep -q 'needs 216.* MiB of blocks; this node.s store keeps 128.0 MiB for inserts.*larger --store-size' '$T/err' && [ \$(wc -l <'$T/err') -eq 1 ]"
check "before any block was written (store empty, no area)" sh -c "[ $(stored a) -eq 0 ] && ! ls '$T/a/transfers/'*.blocks 2>/dev/null"
expect_exit 0 "a 50 MB put fits" w a put -q "$T/f50"
uri50=$(cat "$T/out")
expect_exit 0 "and is fetched back" w a get -q "$uri50" -o "$T/b50"
check "whole, byte for byte" cmp -s "$T/f50" "$T/b50"
expect_exit 1 "a put of unknown size (a pipe) that outgrows the room fails" sh -c "cat '$T/f100' | '$WISP' -d '$T/a' put -q"
check "saying its own blocks could not be kept: $(tail -c 200 "$T/err")" grep -q "inserts still in progress" "$T/err"
w a status >"$T/st"
check "evictions show in wisp status, by partition ($(grep evicted "$T/st"))" grep -q "^evicted: [1-9][0-9]* blocks of inserts, 0 of the cache" "$T/st"
curl -s "http://$(cat "$T/a/api.addr")/" >"$T/home"
check "the home page lists the transfers and counts evictions by partition" sh -c "
	grep -q '<h2>Transfers</h2>' '$T/home' && grep -q '<td>put</td><td>failed</td>' '$T/home' &&
	grep -q 'evicted since start: [1-9][0-9]* blocks of inserts, 0 of the cache' '$T/home'"
w a transfers >"$T/list"
check "wisp transfers lists the puts, done and failed ($(wc -l <"$T/list") lines)" sh -c "grep -q ' put  done ' '$T/list' && grep -q ' put  failed ' '$T/list'"
expect_exit 2 "wait of a transfer that does not exist is refused" w a wait 999
grep -q "no transfer has this id" "$T/err" && ok "  (says no transfer has this id)" || bad "wait 999 said: $(cat "$T/err")"
expect_exit 2 "a download into a directory that cannot be written is refused at once" w a get "$uri50" -o /proc/none/x
expect_exit 2 "get --background without -o is a usage error" w a get "$uri50" --background
stop_node a

# ---- persist-transfers = no: the queue is never written ----
mkdir -p "$T/m" && chmod 700 "$T/m" && echo "persist-transfers = no" >"$T/m/wispd.conf"
start_node m || exit 1
expect_exit 0 "with persist-transfers = no a put still works" w m put -q "$T/f50"
check "and lists its transfer" sh -c "'$WISP' -d '$T/m' transfers | grep -q ' put  done '"
check "but no queue is on disk" sh -c "[ ! -e '$T/m/transfers/queue' ]"
stop_node m
start_node m || exit 1
check "and after a restart the list is empty" sh -c "'$WISP' -d '$T/m' transfers | grep -q 'no transfers'"
stop_node m

# ---- five nodes: a download survives kill -9 of its node and of a relay ----
# d -- r1 -- h, d -- r2 -- h, x -- h, x -- r1; the file is inserted at h
# before d is linked, as a plain tree (no check blocks), and every store
# then loses the data blocks of its last 40%: d's first try fetches 60%
# into its area and fails. d and r1 are killed with SIGKILL, the blocks
# come back (h inserts the file again), and d, restarted, finishes it.
for nn in r1 r2 h x; do start_node $nn || exit 1; done
link r1 h; link r2 h; link x h; link x r1
wait_for 10 connected h 3 || bad "h linked"
head -c 50000000 /dev/urandom >"$T/big"
expect_exit 0 "a 50 MB file inserted at h" w h put -q --redundancy 0 "$T/big"
uri=$(cat "$T/out")
"$DATAKEYS" "$T/big" >"$T/keys"
nkeys=$(wc -l <"$T/keys")
tail -n $((nkeys * 2 / 5)) "$T/keys" >"$T/lost"
for nn in r1 r2 h x; do api $nn POST /api/v1/test/drop --data-binary "@$T/lost" >/dev/null; done
start_node d || exit 1
link d r1; link d r2
wait_for 10 connected d 2 || bad "d linked"
expect_exit 0 "wisp get --background returns a transfer id at once" w d get "$uri" -o "$T/got" --background
id=$(cat "$T/out")
check "the first try fetches what the network has, then waits to try again" wait_for 60 sh -c "
	'$WISP' -d '$T/d' transfers --json | grep -q '\"state\": \"queued\".*\"from_network\": [1-9]'"
had=$(area_blocks d "$id")
check "its area holds what it fetched ($had blocks of $nkeys data blocks)" [ "$had" -gt $((nkeys / 2)) ]
check "and the partial file is not the file's name" sh -c "[ ! -e '$T/got' ]"
xjson d "$id"
net_before=$(json_num "$T/xj" from_network)
rport=$(port_of r1)
dport=$(port_of d)
stop_node d KILL
stop_node r1 KILL
expect_exit 0 "h inserts the file again (the same URI)" w h put -q --redundancy 0 "$T/big"
check "  (the same URI)" [ "$(cat "$T/out")" = "$uri" ]
start_node r1 --listen "127.0.0.1:$rport" || exit 1
start_node d --listen "127.0.0.1:$dport" || exit 1
check "after the restart the download is listed, and ends" wait_for 120 state_is d "$id" done
xjson d "$id"
from_area=$(json_num "$T/xj" from_area)
net_after=$(json_num "$T/xj" from_network)
echo "  had $had blocks in its area at the kill; after the restart: $from_area read from it," \
	"$((net_after - net_before)) from the network ($nkeys data blocks, index blocks besides)"
check "every block it had came from its area" [ "$from_area" -ge "$had" ]
check "none was fetched again: network blocks after the restart <= what it lacked" \
	[ $((net_after - net_before)) -le $((nkeys + nkeys / 100 + 2 - had)) ]
check "the finished file is byte-identical" cmp -s "$T/big" "$T/got"
check "and its area is gone" sh -c "[ ! -e '$T/d/transfers/$id.blocks' ]"

# ---- an insert survives kill -9 of its node and ends with the same URI ----
head -c 20000000 /dev/urandom >"$T/p20"
api x POST "/api/v1/test/hold?blocks=200" >/dev/null
expect_exit 0 "put --background hands every block to the node and prints the URI" w x put --background "$T/p20"
puri=$(head -1 "$T/out")
pid=$(sed -n 's/.*as transfer \([0-9]*\).*/\1/p' "$T/err")
check "the insert is under way (transfer $pid)" wait_for 30 sh -c "
	'$WISP' -d '$T/x' transfers --json | grep -q '\"state\": \"running\".*\"blocks_done\": 200'"
xport=$(port_of x)
stop_node x KILL
start_node x --listen "127.0.0.1:$xport" || exit 1
check "after the restart it resumes and ends" wait_for 120 state_is x "$pid" done
check "with the URI it printed" grep -q "\"uri\": \"$puri\"" "$T/xj"
check "its blocks were accepted by the network ($(json_num "$T/xj" accepted) accepted, $(json_num "$T/xj" refused) refused)" \
	[ "$(json_num "$T/xj" refused)" -eq 0 ]
expect_exit 0 "another node fetches it" w r2 get -q "$puri" -o "$T/p20back"
check "byte for byte" cmp -s "$T/p20" "$T/p20back"

# ---- a put has four batches in the node's hands at a time, not five ----
# The pump sends one block and waits; past 256 waiting, the node holds the
# answer of each batch it keeps. The client sends batches while the older
# ones are in hand, four at most, then waits: 4 batches answered, 4 kept
# and held.
api x POST "/api/v1/test/hold?blocks=1" >/dev/null
head -c 40000000 /dev/urandom >"$T/p40"
w x put -q "$T/p40" >"$T/p40.uri" 2>"$T/p40.err" &
ppid=$!
staging_id() { w x transfers --json | sed -n 's/.*"id": \([0-9]*\), "direction": "put", "state": "staging".*/\1/p' | head -1; }
sid=""
found_staging() { sid=$(staging_id); [ -n "$sid" ]; }
past_one() { [ "$(area_blocks x "$sid")" -gt 448 ]; }
check "a put is staging at x" wait_for 30 found_staging
check "the node keeps four batches while the first waits for the backlog (more than 7 x 64 blocks kept)" \
	wait_for 120 past_one
echo "  while held: $(w x transfers --json | grep -o '"id": '"$sid"', "direction": "put"[^}]*' | head -c 300); put pid $ppid $(ps -o stat=,time= -p "$ppid" 2>/dev/null)"
check "and no fifth: $(area_blocks x "$sid") blocks kept, at most 8 x 64" [ "$(area_blocks x "$sid")" -le 512 ]
api x POST "/api/v1/test/hold?blocks=0" >/dev/null
put_gone() { ! kill -0 "$ppid" 2>/dev/null; }
check "released, the put ends" wait_for 120 put_gone
wait "$ppid"
check "well, with a URI ($(cat "$T/p40.err"))" grep -q '^CHK@' "$T/p40.uri"
expect_exit 0 "which another node fetches" w r2 get -q "$(cat "$T/p40.uri")" -o "$T/p40back"
check "byte for byte" cmp -s "$T/p40" "$T/p40back"

# ---- the queue file, damaged: set aside, the node starts ----
stop_node x
printf 'wisp-transfers 1\n1 g r 0 0 zz\n' >"$T/x/transfers/queue"
start_node x --listen "127.0.0.1:$xport" || exit 1
check "a damaged queue is set aside with a log line, and the node starts" sh -c "
	ls '$T/x/transfers/' | grep -q 'queue.damaged-' && grep -q 'is damaged' '$T/x.log'"
expect_exit 0 "and serves" w x status
[ -n "${KEEP:-}" ] && cp -r "$T" /tmp/keep-transfer; finish
