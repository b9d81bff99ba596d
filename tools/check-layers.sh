#!/bin/sh
# check-layers: each folder of node/ includes only what its .may_include
# names, and the pure folders (lines "!<header>" and "!clock") reach for no
# socket, event loop, LMDB or clock; crypto/ is pure too. Calls are checked
# by tools/check-calls.py, from the objects. Exit 1 on any violation.
cd "$(dirname "$0")/.." || exit 2
bad=0

for rules in node/*/.may_include; do
	dir=${rules%/.may_include}
	allowed=$(grep -v '^[[:space:]]*#' "$rules" | grep -v '^!' | grep -v '^[[:space:]]*$')
	for f in "$dir"/*.c "$dir"/*.h; do
		[ -e "$f" ] || continue
		for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
			ok=0
			for pat in $allowed; do
				# shellcheck disable=SC2254
				case $inc in $pat) ok=1; break ;; esac
			done
			if [ $ok = 0 ]; then
				echo "check-layers: $f includes \"$inc\": not in $rules"
				bad=1
			fi
		done
	done
	for ban in $(sed -n 's/^!<\(.*\)>$/\1/p' "$rules"); do
		hits=$(for f in "$dir"/*.c "$dir"/*.h; do
			[ -e "$f" ] || continue
			sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/\1/p' "$f" | while read -r h; do
				# shellcheck disable=SC2254
				case $h in $ban) echo "$f: <$h>" ;; esac
			done
		done)
		if [ -n "$hits" ]; then
			echo "$hits" | sed "s|^|check-layers: pure part includes |; s|\$| (banned by $rules)|"
			bad=1
		fi
	done
	if grep -qx '!clock' "$rules" &&
	    grep -nE 'clock_gettime|gettimeofday|[^_a-z]time\(' "$dir"/*.c "$dir"/*.h 2>/dev/null; then
		echo "check-layers: the lines above read the clock in $dir (banned by $rules)"
		bad=1
	fi
done

# crypto/: pure functions over buffers
if grep -nE '#include <(event2/|sys/socket|netinet|lmdb)|clock_gettime|gettimeofday|[^_a-z]time\(' crypto/*.[ch]; then
	echo "check-layers: crypto/ must stay pure (lines above)"
	bad=1
fi
[ $bad = 0 ] && echo "check-layers: every folder of node/ within its .may_include"
exit $bad
