#!/bin/sh
# Run every libFuzzer target for SECONDS each (clang, ASan, UBSan), from
# the committed corpus; new finds go to a scratch corpus, never the tree.
# FUZZ_TARGETS="frame noise" limits the run to those targets.
B=${1:-build-fuzz}
SECONDS_EACH=${2:-60}
fail=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	target=${name#fuzz_}
	case " ${FUZZ_TARGETS:-$target} " in *" $target "*) ;; *) continue ;; esac
	mkdir -p "$B/fuzz-corpus/$target" "$B/crashes"
	clang -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. -O1 -g \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(pkg-config --cflags libsodium lmdb libisal gumbo) \
		-o "$B/$name" "$src" "$B/libwispcore.a" $(pkg-config --libs libsodium lmdb libisal gumbo) || exit 1
	"$B/$name" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
		-artifact_prefix="$B/crashes/$target-" \
		"$B/fuzz-corpus/$target" "tests/fuzz/corpus/$target" >"$B/$name.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/$name.log")
	if [ $rc -eq 0 ]; then
		echo "fuzz $target: ${execs:-?} executions in ${SECONDS_EACH}s, clean"
	else
		echo "fuzz $target: FAILED (exit $rc), see $B/$name.log and $B/crashes/"
		fail=1
	fi
done
exit $fail
