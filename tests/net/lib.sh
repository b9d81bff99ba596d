# lib.sh: helpers for tests that run real wispd processes on 127.0.0.1,
# port 0 only, stopped by PID. Sourced by tests/net/t_*.sh.
set -u
BIN=${BIN:-bin}
BUILD=${BUILD:-build}
WISPD="$BIN/wispd"
WISP="$BIN/wisp"
STORETOOL="$BUILD/tests/net/storetool"
T=$(mktemp -d /tmp/wisp-net-XXXXXX)
PASS=0
FAIL=0
PIDS=""

cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

ok() { PASS=$((PASS + 1)); echo "  ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "  FAIL $*"; }
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
	d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
expect_exit() { # expect_exit CODE DESCRIPTION COMMAND...
	want=$1; d=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$d (exit $got)"; else bad "$d: exit $got, wanted $want: $(head -c 300 "$T/err")"; fi
}

# start_node NAME [ARGS...]: start wispd on a fresh or existing datadir
# $T/NAME, wait for api.addr, remember its PID in $T/NAME.pid.
start_node() {
	name=$1; shift
	rm -f "$T/$name/api.addr"
	"$WISPD" -d "$T/$name" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground \
		--store-size 512M --log-level warn "$@" 2>>"$T/$name.log" &
	await_node "$name" $!
}

# await_node NAME PID: remember wispd PID as node NAME's and wait until
# its API is up (api.addr written), or say why it is not.
await_node() {
	PIDS="$PIDS $2"
	echo "$2" >"$T/$1.pid"
	_n=0
	while [ ! -s "$T/$1/api.addr" ]; do
		_n=$((_n + 1))
		if [ $_n -gt 200 ] || ! kill -0 "$2" 2>/dev/null; then
			echo "node $1 did not start: $(cat "$T/$1.log")"
			return 1
		fi
		sleep 0.05
	done
}

stop_node() { # stop_node NAME [SIGNAL]
	_pid=$(cat "$T/$1.pid")
	kill "-${2:-TERM}" "$_pid" 2>/dev/null
	_n=0
	while kill -0 "$_pid" 2>/dev/null && [ $_n -lt 100 ]; do sleep 0.05; _n=$((_n + 1)); done
}

w() { # w NAME ARGS...: run wisp against node NAME
	name=$1; shift
	"$WISP" -d "$T/$name" "$@"
}

api() { # api NODE METHOD PATH [curl args]: the node's API, with its token
	_n=$1 _m=$2 _p=$3; shift 3
	curl -s -X "$_m" -H "Authorization: Bearer $(cat "$T/$_n/api.token")" "http://$(cat "$T/$_n/api.addr")$_p" "$@"
}

finish() {
	# A sanitizer report in any node's log fails the test, even if every
	# check above passed.
	if grep -l -E "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$T"/*.log 2>/dev/null; then
		bad "sanitizer reports in the node logs above"
		grep -h -A20 -E "ERROR: AddressSanitizer|runtime error:" "$T"/*.log | head -60
	fi
	echo "$(basename "$0" .sh): $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# rnd SEED M: a number in 0..M-1, the same for the same SEED.
rnd() { awk -v s="$1" -v m="$2" 'BEGIN { srand(s); print int(rand() * m) }'; }

# put_docs COUNT MAXSIZE NODES SEED: COUNT documents of 1 KiB to MAXSIZE
# bytes, each inserted at a random node of n0…n(NODES-1): $T/docD, its URI
# in $T/uriD, the node in $T/atD.
put_docs() {
	_d=0
	while [ $_d -lt "$1" ]; do
		_at=$(rnd $(($4 * 3 + _d)) "$3")
		head -c $((1024 + $(rnd $(($4 + _d)) $(($2 - 1024))))) /dev/urandom >"$T/doc$_d"
		w "n$_at" put -q "$T/doc$_d" >"$T/uri$_d" || bad "insert of doc $_d at n$_at"
		echo "$_at" >"$T/at$_d"
		_d=$((_d + 1))
	done
}

# put_get AT FROM SIZE: a document of SIZE random bytes put at nAT and
# got at nFROM; 0 if it came back whole, its `wisp get -v` hops then
# appended to $T/hops.
put_get() {
	head -c "$3" /dev/urandom >"$T/doc"
	w "n$1" put -q "$T/doc" >"$T/uri" && w "n$2" get -v "$(cat "$T/uri")" -o "$T/got" 2>"$T/v" &&
	    cmp -s "$T/doc" "$T/got" && hops_of "$T/v" >>"$T/hops"
}

# hops_of FILE: the distance `wisp get -v` wrote to FILE: 0 for "found in
# this node", N for "found about N hops away" (an estimate: docs/routing.md).
hops_of() {
	sed -n 's/.*found in this node.*/0/p; s/.*found about \([0-9]*\) hops\{0,1\} away.*/\1/p' "$1"
}

RELAY="$BUILD/tests/net/relay"
REREF="$BUILD/tests/net/reref"

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
wait_for() {
	_limit=$(($1 * 10)); shift
	_w=0
	while ! "$@" >/dev/null 2>&1; do
		_w=$((_w + 1))
		[ $_w -ge $_limit ] && return 1
		sleep 0.1
	done
}

connected() { # connected NAME N: node NAME has N connected peers
	w "$1" status --json | grep -q "\"connected\": $2}"
}

port_of() { sed 's/.*://' "$T/$1/node.addr"; }
FORGE="$BUILD/tests/net/forge"

# small_world N MAXDEG SEED: start nodes n0…n(N-1) and link them as a ring
# plus random chords while both ends have fewer than MAXDEG friends (those
# already at 3 take one only half the time); the edges go to $T/edges.
small_world() {
	_swn=$1; _swmax=$2; _swseed=$3; _swi=0
	while [ $_swi -lt "$_swn" ]; do start_node "n$_swi" ${SW_NODE_ARGS:-} || return 1; _swi=$((_swi + 1)); done
	_swi=0
	while [ $_swi -lt "$_swn" ]; do w "n$_swi" noderef >"$T/ref$_swi"; _swi=$((_swi + 1)); done
	awk -v n="$_swn" -v max="$_swmax" -v seed="$_swseed" 'BEGIN {
		srand(seed);
		for (i = 0; i < n; i++) { a = i; b = (i + 1) % n; e[a "," b] = 1; d[a]++; d[b]++; print a, b }
		for (t = 0; t < 20 * n; t++) {
			a = int(rand() * n); b = int(rand() * n);
			if (a == b || e[a "," b] || e[b "," a] || d[a] >= max || d[b] >= max) continue;
			if (d[a] >= 3 && d[b] >= 3 && rand() < 0.5) continue;
			e[a "," b] = 1; d[a]++; d[b]++; print a, b
		}
	}' >"$T/edges"
	while read -r _swa _swb; do
		w "n$_swa" peer add "$(cat "$T/ref$_swb")" >/dev/null
		w "n$_swb" peer add "$(cat "$T/ref$_swa")" >/dev/null
	done <"$T/edges"
}

# all_up N: every node of the small world has all its links up.
all_up() {
	_u=0
	while [ $_u -lt "$1" ]; do
		connected "n$_u" "$(awk -v i=$_u '$1 == i || $2 == i' "$T/edges" | wc -l)" || return 1
		_u=$((_u + 1))
	done
}
