#!/bin/sh
# Run every lab test (tests/lab/lib.sh): wispd behind NAT routers in
# network namespaces. Needs root; without it each test says it skipped.
BIN=${1:-bin}
BUILD=${2:-build}
export BIN BUILD
pass=0
fail=0
for t in tests/lab/t_*.sh; do
	echo "== $t"
	sh "$t" >"/tmp/wisp-lab-$$.log" 2>&1
	rc=$?
	cat "/tmp/wisp-lab-$$.log"
	line=$(grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "/tmp/wisp-lab-$$.log" | tail -n 1)
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed/\1/')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then fail=$((fail + 1)); fi
done
rm -f "/tmp/wisp-lab-$$.log"
echo "lab: $pass passed, $fail failed"
[ $fail -eq 0 ]
