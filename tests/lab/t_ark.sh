#!/bin/sh
# A friend that moved while we were away, with no friend in common
# (issue 22): node far is public and changes its address while d, behind
# a NAT, is stopped. d's only link is to p1, which links to p2, which
# links to far. Restarted, d cannot dial far where it was and has no one
# to meet it through; it finds far's newest address record through the
# network, signed by far and readable only by far's friends, and dials.
. tests/net/lib.sh
. tests/lab/lib.sh
lab_skip_unless_able

lab_init
lab_public far 198.51.100.20
lab_public p1 198.51.100.21
lab_public p2 198.51.100.22
lab_home d cone 203.0.113.31 7
for x in far p1 p2 d; do lab_node "$x" || exit 1; done
befriend d p1
befriend p1 p2
befriend p2 far
befriend d far
check "d links to far" wait_for 30 linked_to d far
check "far published its address record" wait_for 15 grep -q "published this node's address record 1" "$T/far.log"
check "the chain d-p1-p2-far is up" wait_for 30 linked_to p2 far

stop_node d
lab_move far 198.51.100.40
check "far publishes a new edition for its new address" wait_for 30 grep -q "published this node's address record 2" "$T/far.log"
check "far links to p2 again from its new address" wait_for 60 linked_to far p2
t0=$(now_s)
lab_node d || exit 1
check "d, restarted, finds far at its new address through the network and links (2 min)" wait_for 120 linked_to d far
echo "d relinked with far in $(($(now_s) - t0)) s"
check "from the address record" grep -q "found a friend's new addresses in its address record 2" "$T/d.log"
finish
