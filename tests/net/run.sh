#!/bin/sh
# Run every network test (tests/net/t_*.sh: each starts its own wispd
# processes on loopback), or with SUITE "lab" the lab's (tests/lab/).
# Usage: run.sh [BIN] [BUILD] [SUITE]
BIN=${1:-bin}
BUILD=${2:-build}
SUITE=${3:-net}
export BIN BUILD
pass=0
fail=0
for t in tests/$SUITE/t_*.sh; do
	echo "== $t"
	sh "$t" >"/tmp/wisp-$SUITE-$$.log" 2>&1
	rc=$?
	cat "/tmp/wisp-$SUITE-$$.log"
	line=$(grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "/tmp/wisp-$SUITE-$$.log" | tail -n 1)
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed/\1/')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then fail=$((fail + 1)); fi
done
rm -f "/tmp/wisp-$SUITE-$$.log"
echo "$SUITE: $pass passed, $fail failed"
[ $fail -eq 0 ]
