#!/bin/sh
# The simulator in make check: a 200-node run whose result is pinned, so
# any change to the router's behaviour shows here (update the pin on
# purpose: bin/wisp-sim check | grep '^sim E1 nodes' > tests/sim/check.expected).
BIN=${1:-bin}
B=${2:-build}
mkdir -p "$B/sim-check"
got=$("$BIN/wisp-sim" check --out "$B/sim-check" | grep '^sim E1 nodes')
want=$(cat tests/sim/check.expected)
if [ "$got" = "$want" ]; then
	echo "sim check: $got"
	exit 0
fi
echo "sim check: FAILED"
echo "  want: $want"
echo "  got:  $got"
exit 1
