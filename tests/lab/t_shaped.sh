# Living on a home line (issue 25), in the lab: two nodes across a link
# shaped to 5 Mbit/s with 10 ms each way (lab_chain: HTB and a delay
# line). c0 holds the documents (inserted before the link came up).
# - bandwidth-out = L at c0, set by a reload: under a fetch that would
#   take more, c0's output over 30 s is within 10% of L;
# - small fetches across that saturated link all succeed, and no request
#   of c1's times out;
# - with L so low that a burst of requests cannot be served in time, c0
#   refuses them (RejectedOverload, counted as refused for load) and none
#   of c1's requests times out waiting;
# - with bandwidth-month spent, c0 slows to its floor of 4 KiB/s.
. tests/net/lib.sh
. tests/lab/lib.sh
lab_skip_unless_able
js() { lw "$1" status --json; }
field() { js "$1" | sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p"; }
sent_to_c1() { # c0's bytes out to its one peer
	nsx c0 curl -s -H "Authorization: Bearer $(cat "$T/c0/api.token")" "http://$(cat "$T/c0/api.addr")/api/v1/peers" |
		sed -n 's/.*"bytes_out": \([0-9]*\).*/\1/p'
}
linked_n() { js "$1" | grep -q "\"connected\": $2}"; }
nowms() { echo $(($(date +%s%N) / 1000000)); }

lab_chain 1 5 10 || exit 1
head -c $((24 << 20)) /dev/urandom >"$T/big"
big=$(lw c0 put -q "$T/big") || exit 1
i=0
while [ $i -lt 38 ]; do
	head -c 1024 /dev/urandom >"$T/s$i"
	lw c0 put -q "$T/s$i" >"$T/u$i" || exit 1
	i=$((i + 1))
done
lab_chain_link 0
wait_for 30 linked_n c1 1 || { bad "c0 and c1 linked"; finish; exit 1; }

# 1. A limit set by a reload holds under load.
LIM=131072
echo "bandwidth-out = 128K" >>"$T/c0/wispd.conf"
expect_exit 0 "wisp reload takes bandwidth-out" lw c0 reload
check "status shows the limit: $(lw c0 status | grep '^speed:')" sh -c "ip netns exec '$L-c0' '$WISP' -d '$T/c0' status | grep -q 'limit 128.0 KiB/s'"
lw c1 get -q "$big" >/dev/null 2>&1 &
getpid=$!
above() { [ "$(sent_to_c1)" -gt "$1" ]; }
b0=$(sent_to_c1)
wait_for 30 above $((b0 + 1048576)) || bad "the fetch got going"
b1=$(sent_to_c1); t1=$(nowms)
timeouts0=$(field c1 timeouts)
# Meanwhile, small fetches across the saturated link.
ok_small=0
i=0
while [ $i -lt 8 ]; do
	lw c1 get -q "$(cat "$T/u$i")" | cmp -s - "$T/s$i" && ok_small=$((ok_small + 1))
	i=$((i + 1))
done
sleep_until() { [ "$(nowms)" -ge "$1" ]; }
wait_for 40 sleep_until $((t1 + 30000))
b2=$(sent_to_c1); t2=$(nowms)
rate=$(( (b2 - b1) * 1000 / (t2 - t1) ))
echo "  c0 sent $((b2 - b1)) bytes in $((t2 - t1)) ms: $rate bytes/s, limit $LIM"
check "its output over 30 s is within 10% of the limit ($rate of $LIM bytes/s)" \
	[ "$rate" -ge $((LIM * 9 / 10)) -a "$rate" -le $((LIM * 11 / 10)) ]
check "all 8 small fetches across the saturated link succeeded ($ok_small)" [ "$ok_small" -eq 8 ]
check "and no request of c1's timed out ($(field c1 timeouts) after, $timeouts0 before)" \
	sh -c "[ -n '$timeouts0' ] && [ '$(field c1 timeouts)' = '$timeouts0' ]"
kill "$getpid" 2>/dev/null
wait "$getpid" 2>/dev/null

# 2. More than it can serve in time: refused at once, not timed out.
sed -i 's/^bandwidth-out = 128K$/bandwidth-out = 8K/' "$T/c0/wispd.conf"
lw c0 reload >/dev/null 2>&1
refused0=$(field c0 rejected_load)
timeouts0=$(field c1 timeouts)
pids=""
i=8
while [ $i -lt 38 ]; do # 30 at once: under c1's own limit of fetches in progress
	( lw c1 get -q "$(cat "$T/u$i")" >"$T/g$i" 2>"$T/e$i"; echo $? >"$T/rc$i" ) &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
served=0 refused=0 other=0
i=8
while [ $i -lt 38 ]; do
	if [ "$(cat "$T/rc$i")" = 0 ] && cmp -s "$T/g$i" "$T/s$i"; then served=$((served + 1))
	elif [ "$(cat "$T/rc$i")" = 4 ]; then refused=$((refused + 1))
	else other=$((other + 1)); echo "  fetch $i: exit $(cat "$T/rc$i"): $(cat "$T/e$i")"; fi
	i=$((i + 1))
done
echo "  30 fetches at once against 8 KiB/s: $served served, $refused refused, $other other"
check "c0 refused some for load ($(($(field c0 rejected_load) - refused0)))" [ "$(field c0 rejected_load)" -gt "$refused0" ]
check "what it took was served whole ($served), the rest refused ($refused), nothing else ($other)" \
	[ "$served" -gt 0 -a "$refused" -gt 0 -a "$other" -eq 0 ]
check "and none of c1's requests waited out a hop deadline ($timeouts0 before, $(field c1 timeouts) after)" \
	sh -c "[ -n '$timeouts0' ] && [ '$(field c1 timeouts)' = '$timeouts0' ]"

# 3. A month's allowance spent: the output slows to its floor, not to nothing.
sed -i '/^bandwidth-out = /d' "$T/c0/wispd.conf"
echo "bandwidth-month = 1M" >>"$T/c0/wispd.conf"
lw c0 reload >/dev/null 2>&1
slowed() { js c0 | grep -q '"slowed": true'; }
check "with 1 MiB a month and more sent, c0 says its share is spent" wait_for 10 slowed
check "and sends at 4 KiB/s, no less ($(field c0 out_in_force))" [ "$(field c0 out_in_force)" = 4096 ]
check "status says so: $(lw c0 status | grep '^month:')" sh -c "ip netns exec '$L-c0' '$WISP' -d '$T/c0' status | grep -q 'share so far is spent'"
finish
