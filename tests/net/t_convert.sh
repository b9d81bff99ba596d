# The conversion of a data directory of the layout before December 2026
# (issue 26): tests/net/fixtures/layout-2026-11.tar.gz was made by that
# wisp (c229c28): a node with a friend, a seed, an invite, a kept
# document, two finished transfers and 22 blocks of its own insert, its
# identity and token in the clear. Started with protect = passphrase, it
# is sealed in place; killed with SIGKILL at a random moment, 20 times,
# it is each time either as it was or converted, and the next start ends
# converted with the same identity, friend, store, keep list and seeds.
. tests/net/lib.sh
SEED=${WISP_TEST_SEED:-$(date +%s)}
echo "  seed $SEED (WISP_TEST_SEED=$SEED to repeat)"
FIX=tests/net/fixtures/layout-2026-11.tar.gz
mkdir -m 700 "$T/run"
XDG_RUNTIME_DIR="$T/run"
export XDG_RUNTIME_DIR
printf 'a passphrase for the conversion\n' >"$T/pass"
mkdir "$T/orig"
tar xzf "$FIX" -C "$T/orig" || exit 1
# the fixture's own record of what it holds
uri1=$(cat "$T/orig/uri1")
uri2=$(cat "$T/orig/uri2")
pub=$(cut -c1-50 "$T/orig/a.noderef")
sum2=$(sed -n 's/ *big.bin$//p' "$T/orig/sums")
clear_files="identity api.token seeds keep transfers/queue wispd.conf"

launch() { # launch: wispd on $T/a, its passphrase from a descriptor
	rm -f "$T/a/api.addr"
	"$WISPD" -d "$T/a" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground --log-level warn \
		--protect passphrase --passphrase-cost interactive --passphrase-fd 3 3<"$T/pass" 2>>"$T/a.log" &
	echo $! >"$T/a.pid"
}
as_before() { # as_before [FILES]: the layout of the fixture, untouched
	[ ! -e "$T/a/master.key" ] || return 1
	for f in ${1:-$clear_files}; do cmp -s "$T/orig/a/$f" "$T/a/$f" || return 1; done
	[ "$("$STORETOOL" verify "$T/a/store" 2>/dev/null)" = "22 ok 0 bad" ]
}
converted_whole() { # after a start to the end: the same node, sealed
	[ -e "$T/a/master.key" ] || return 1
	for f in identity seeds keep transfers/queue; do
		[ -e "$T/a/$f" ] && ! cmp -s "$T/orig/a/$f" "$T/a/$f" || return 1
	done
	[ ! -e "$T/a/api.token" ] && [ ! -e "$T/a/store.new" ] || return 1
	[ "$(w a noderef | cut -c1-50)" = "$pub" ] || return 1
	w a peer list | grep -q '^bob: ' || return 1
	w a keep list | grep -qF "$uri1" || return 1
	[ "$(w a seed list | wc -l)" -eq 1 ] || return 1
	[ "$(w a get "$uri2" | sha256sum | cut -c1-64)" = "$sum2" ]
}

run=0 before=0 after=0 whole=0
while [ $run -lt 20 ]; do
	rm -rf "$T/a"
	cp -a "$T/orig/a" "$T/a"
	ms=$(rnd $((SEED + run)) 300) # the conversion takes about 100 ms here
	launch
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -9 "$(cat "$T/a.pid")" 2>/dev/null
	wait "$(cat "$T/a.pid")" 2>/dev/null
	if as_before; then
		before=$((before + 1))
	elif [ -e "$T/a/master.key" ]; then
		after=$((after + 1))
	else
		bad "run $run, killed after $ms ms: neither as before nor converted: $(ls "$T/a" | tr '\n' ' ')"
	fi
	launch
	await_node a "$(cat "$T/a.pid")" || { bad "run $run: the next start failed: $(tail -3 "$T/a.log")"; run=$((run + 1)); continue; }
	if converted_whole; then whole=$((whole + 1)); else bad "run $run (killed after $ms ms): not converted whole"; fi
	stop_node a
	run=$((run + 1))
done
check "20 conversions killed at random: $before left as before, $after converted, none in between" \
	test $((before + after)) -eq 20
check "and each ended converted whole at the next start ($whole of 20)" test $whole -eq 20

# A start that is not killed; then the key: the search of t_seized in small.
rm -rf "$T/a"
cp -a "$T/orig/a" "$T/a"
launch
await_node a "$(cat "$T/a.pid")" || exit 1
check "an uninterrupted conversion keeps the node whole" converted_whole
check "its friend's key and the URIs are no longer in the clear anywhere" \
	sh -c "! grep -rqF -e '$(w a peer list | sed -n 's/^bob: \([^ ]*\).*/\1/p')' -e '$uri1' -e '$uri2' '$T/a'"
stop_node a
# A directory with peer lines in wispd.conf is refused under a passphrase,
# before anything is converted.
rm -rf "$T/a"
cp -a "$T/orig/a" "$T/a"
echo "peer = $(cat "$T/orig/b.noderef")" >>"$T/a/wispd.conf"
expect_exit 1 "protect = passphrase refuses friends in wispd.conf's clear text" \
	"$WISPD" -d "$T/a" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground --protect passphrase --passphrase-fd 3 3<"$T/pass"
check "saying why" grep -q "names 1 friends in the clear" "$T/err"
check "and nothing was converted" as_before "identity api.token seeds keep transfers/queue"
finish
