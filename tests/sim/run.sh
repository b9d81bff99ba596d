#!/bin/sh
# The simulator's experiments as docs/sim/ shows them: every command that
# made a CSV there, then the plots. E2 to 1,000,000 nodes takes about an
# hour and 17 GB here, and runs twice (once with two announcement paths);
# SIM_MAX_NODES=200000 stops it at 200,000.
set -e
BIN=${1:-bin}
OUT=${SIM_OUT:-docs/sim}
mkdir -p "$OUT"
run() { name=$1; shift; echo "== wisp-sim $*"; /usr/bin/time -f "$name: %e s, peak %M KiB" "$BIN/wisp-sim" "$@" | tee "$OUT/$name.log"; }
run e1 e1 --out "$OUT"
run e3 e3 --out "$OUT"
run dark dark --swaps 2000 --probes 1000 --out "$OUT"
run dark-live dark-live --swaps 2000 --out "$OUT"
run pitch pitch --nodes 1000 --swaps 300 --warm 3000 --out "$OUT"
run fec fec --files 20 --out "$OUT"
# wispd's opennet from one seed to 100,000 nodes (about 40 minutes), and at
# 50 nodes beside the real one (tests/net/opennet_real.sh, docs/sim.md)
run opennet opennet --max-nodes "${SIM_OPENNET_NODES:-100000}" --htl 18 --out "$OUT"
for s in 1 2 3; do
	mkdir -p "$OUT/o50"
	run "opennet50-seed$s" opennet --max-nodes 50 --every 1 --htl 18 --probes 300 --seed $s --out "$OUT/o50"
done
rm -rf "$OUT/o50"
run e2 e2 --max-nodes "${SIM_MAX_NODES:-1000000}" --out "$OUT"
# the same with two announcement paths per newcomer: another hour
mkdir -p "$OUT/paths2"
run e2-paths2 e2 --max-nodes "${SIM_MAX_NODES:-1000000}" --announce-paths 2 --out "$OUT/paths2"
mv "$OUT/paths2/e2.csv" "$OUT/e2-paths2.csv" && rmdir "$OUT/paths2"
sh tests/sim/plot.sh "$OUT"
