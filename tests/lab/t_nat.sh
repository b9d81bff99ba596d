#!/bin/sh
# Friends behind home routers (issue 22): real wispd processes in network
# namespaces behind NATs (tests/lab/lib.sh). Prints the matrix of router
# kinds: how each pair linked, and how long it took.
. tests/net/lib.sh
. tests/lab/lib.sh
lab_skip_unless_able

lab_init
lab_public pub 198.51.100.10
lab_home a cone 203.0.113.11 1
lab_home b cone 203.0.113.12 2
lab_home s symmetric 203.0.113.21 3
lab_home t symmetric 203.0.113.22 4
for x in pub a b s t; do lab_node "$x" || exit 1; done

# Every home has the public node as a friend; only the homes can dial.
for x in a b s t; do befriend "$x" pub; done
for x in a b s t; do
	check "$x links to the public node from behind its router" wait_for 30 linked_to "$x" pub
done
check "the public node was reached from outside" says pub 'reached: from outside' status
check "a home node was not" says a 'not from outside' status

# link_time A B LIMIT: A and B befriend each other; seconds until both
# see the link, or "never" after LIMIT seconds.
link_time() {
	_t0=$(now_s)
	befriend "$1" "$2"
	if wait_for "$3" linked_to "$1" "$2" && wait_for 5 linked_to "$2" "$1"; then
		echo $(($(now_s) - _t0))
	else
		echo never
	fi
}

ab=$(link_time a b 60)
check "two cone NATs without port mapping link through a mutual friend within 60 s ($ab s)" [ "$ab" != never ]
check "a's log says it met b through its router" grep -q "met a friend through a router" "$T/a.log" "$T/b.log"
check "a learnt its public address from two peers" wait_for 10 says a '203.0.113.11:[0-9]* (seen by 2 peers)' status
echo "hello from behind a router" >"$T/doc"
uri=$(lw a put -q "$T/doc")
lw b get "$uri" -o "$T/got" >/dev/null 2>&1
check "b fetches a's document" cmp -s "$T/doc" "$T/got"

st=$(link_time s t 30)
check "two symmetric NATs do not link while the mutual friend does not relay ($st)" [ "$st" = never ]
check "and s's peer list says why" wait_for 30 says s 'symmetric NAT), and the mutual friend does not relay' peer list
as=$(link_time a s 30)
check "a cone and a symmetric NAT do not link either ($as)" [ "$as" = never ]

# The public node's operator allows relaying: s and t link through it,
# Noise end to end, at the next retry.
echo "relay = on" >>"$T/pub/wispd.conf"
t0=$(now_s)
kill -HUP "$(cat "$T/pub.pid")"
check "with relay = on, the two symmetric NATs link through the mutual friend" wait_for 90 linked_to s t
sr=$(($(now_s) - t0))
check "s says the link is relayed" says s "$(id_of t | cut -c1-8).*relay via" peer list
check "the relay saw it only as a relay" grep -q "relaying the link of two peers that cannot meet" "$T/pub.log"
echo "across the relay" >"$T/doc2"
uri2=$(lw s put -q "$T/doc2")
lw t get "$uri2" -o "$T/got2" >/dev/null 2>&1
check "t fetches s's document across the relay" cmp -s "$T/doc2" "$T/got2"
head -c 3000000 /dev/urandom >"$T/big"
uri3=$(lw t put -q "$T/big")
lw s get "$uri3" -o "$T/gotbig" >/dev/null 2>&1
check "and s a 3 MB file of t's (the window holds, nothing overflows)" cmp -s "$T/big" "$T/gotbig"

# The ISP gives a's router a new address; b is stopped meanwhile. Both
# links come back without a command.
stop_node b
lab_readdress a 203.0.113.51
t0=$(now_s)
check "a links to the public node again after its address changed" wait_for 120 linked_to a pub
lab_node b
check "b, stopped during the change, links to a at its new address within 2 minutes" wait_for 120 linked_to b a
readd=$(($(now_s) - t0))
check "a's public address follows the change" wait_for 30 says a '203.0.113.51:[0-9]* (seen by' status

echo "matrix (seconds to link):"
echo "  cone      + cone       punched through a mutual friend: $ab"
echo "  symmetric + symmetric  not while the friend does not relay ($st); relayed once it does: $sr"
echo "  cone      + symmetric  not while the friend does not relay: $as"
echo "  any home  + public     direct, dialled from the home"
echo "  after a's address changed: a and b relinked in $readd s"
finish
