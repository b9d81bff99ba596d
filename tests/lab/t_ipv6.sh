#!/bin/sh
# IPv6 first where it exists (issue 22): two friends behind IPv4 NATs,
# each with global IPv6 and no mutual friend, link directly over IPv6.
. tests/net/lib.sh
. tests/lab/lib.sh
lab_skip_unless_able

lab_init
lab_home x cone 203.0.113.15 5
lab_home y cone 203.0.113.16 6
lab_home6 x 5
lab_home6 y 6
lab_node x || exit 1
lab_node y || exit 1

check "x listens dual-stack" wait_for 5 grep -qF 'peers on [::]:' "$T/x.log"
check "x's noderef has its global IPv6 address first" says x 'address: \[2001:db8:5::2\]:[0-9]* (interface), 10.5.0.2:' status
check "and no unique-local or link-local one" sh -c "! ip netns exec $L-x $WISP -d $T/x status | grep -E 'address:.*(fd00|fe80)'"
t0=$(now_s)
befriend x y
check "two friends behind IPv4 NATs link over IPv6 with no friend in common" wait_for 30 linked_to x y
check "over IPv6" sh -c "ip netns exec $L-x $WISP -d $T/x peer list | grep -q '\[2001:db8:6::2\]:[0-9]* *connected since'"
echo "linked over IPv6 in $(($(now_s) - t0)) s"
echo "sent over IPv6" >"$T/doc"
uri=$(lw x put -q "$T/doc")
lw y get "$uri" -o "$T/got" >/dev/null 2>&1
check "y fetches x's document" cmp -s "$T/doc" "$T/got"
finish
