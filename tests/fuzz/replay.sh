#!/bin/sh
# Replay every fuzz target over its committed corpus (built with the normal
# compiler), so regressions are caught without clang or libFuzzer.
set -e
B=${1:-build}
n=0
for t in "$B"/tests/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	dir=tests/fuzz/corpus/${name#fuzz_}
	[ -d "$dir" ] || continue
	"$t" "$dir"/*
	n=$((n + 1))
done
echo "fuzz replay: $n targets clean"
