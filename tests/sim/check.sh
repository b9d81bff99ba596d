#!/bin/sh
# The simulator in make check: a 200-node run of the paper's model, a
# 100-node opennet grown from one seed and a 400-node darknet with and
# without swapping and friends' friends, whose results are pinned, so any
# change to the router's, the opennet policy's or swapping's behaviour
# shows here.
# Update the pins on purpose:
#   bin/wisp-sim check | grep '^sim E1 nodes' > tests/sim/check.expected
#   bin/wisp-sim opennet --max-nodes 100 --htl 18 --probes 100 | grep '^sim OPENNET nodes=100' \
#     > tests/sim/check-opennet.expected
#   bin/wisp-sim dark --nodes 400 --swaps 300 --warm 2000 --probes 100 | grep '^sim DARK nodes' \
#     > tests/sim/check-dark.expected
BIN=${1:-bin}
B=${2:-build}
mkdir -p "$B/sim-check"
rc=0
pin() { # pin NAME EXPECTED-FILE GOT
	want=$(cat "$2")
	if [ "$3" = "$want" ]; then
		echo "sim check $1: $3"
		return
	fi
	echo "sim check $1: FAILED"
	echo "  want: $want"
	echo "  got:  $3"
	rc=1
}
pin e1 tests/sim/check.expected "$("$BIN/wisp-sim" check --out "$B/sim-check" | grep '^sim E1 nodes')"
pin opennet tests/sim/check-opennet.expected \
	"$("$BIN/wisp-sim" opennet --max-nodes 100 --htl 18 --probes 100 --out "$B/sim-check" | grep '^sim OPENNET nodes=100')"
pin dark tests/sim/check-dark.expected \
	"$("$BIN/wisp-sim" dark --nodes 400 --swaps 300 --warm 2000 --probes 100 --out "$B/sim-check" | grep '^sim DARK nodes')"
exit $rc
