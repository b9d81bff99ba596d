# Churn: 30 nodes in a friend graph; 100 documents inserted; then, round
# after round, a random 20% of the nodes killed with SIGKILL and restarted
# while the survivors keep fetching. Success during and after the churn,
# every restarted store verifying, every friend reconnecting on its own.
. tests/net/lib.sh

N=30
DOCS=100
ROUNDS=${WISP_CHURN_ROUNDS:-3}
SEED=${WISP_TEST_SEED:-$(date +%s)}
echo "  seed $SEED (WISP_TEST_SEED=$SEED to repeat)"
SW_NODE_ARGS="--store-size=64M" small_world $N 5 "$SEED" || exit 1
check "$(wc -l <"$T/edges" | tr -d ' ') links up" wait_for 30 all_up $N

d=0
while [ $d -lt $DOCS ]; do
	head -c $((1024 + $(rnd $((SEED + d)) 65536))) /dev/urandom >"$T/doc$d"
	w "n$(rnd $((SEED * 7 + d)) $N)" put -q "$T/doc$d" >"$T/uri$d" || bad "insert of doc $d"
	d=$((d + 1))
done
echo "  inserted $DOCS documents of 1–65 KiB"

# fetch_some COUNT SALT: COUNT fetches of random documents from random
# live nodes; prints how many came back byte for byte.
fetch_some() {
	_ok=0; _k=0
	while [ $_k -lt "$1" ]; do
		_d=$(rnd $(($2 + _k * 13)) $DOCS)
		_at=$(rnd $(($2 * 5 + _k * 29)) $N)
		while [ -f "$T/dead$_at" ]; do _at=$(((_at + 1) % N)); done
		if w "n$_at" get -q "$(cat "$T/uri$_d")" -o "$T/got" 2>/dev/null && cmp -s "$T/got" "$T/doc$_d"; then
			_ok=$((_ok + 1))
		fi
		_k=$((_k + 1))
	done
	echo $_ok
}

during=0; during_n=0
r=0
: >"$T/restarted"
while [ $r -lt $ROUNDS ]; do
	# a random 20%: 6 distinct nodes
	awk -v n=$N -v seed=$((SEED + 1000 * r)) 'BEGIN { srand(seed); k = 0;
		while (k < n / 5) { v = int(rand() * n); if (!(v in s)) { s[v] = 1; print v; k++ } } }' >"$T/victims"
	# A node keeps its port across restarts (wispd.conf does so for a real
	# one; here --listen 127.0.0.1:0 would draw a new one each start).
	# Kill them mid-work: inserts are crossing the network meanwhile.
	( j=0; while [ $j -lt 10 ]; do head -c 40000 /dev/urandom | w "n$(( (r * 7 + j) % N ))" put -q - >/dev/null 2>&1
		j=$((j + 1)); done ) &
	bg=$!
	sleep 0.3
	for v in $(cat "$T/victims"); do
		port_of "n$v" >"$T/port$v"
		stop_node "n$v" KILL; touch "$T/dead$v"; echo "$v" >>"$T/restarted"
	done
	wait $bg
	got=$(fetch_some 30 $((SEED + r * 101)))
	echo "  round $((r + 1)): killed $(tr '\n' ' ' <"$T/victims")— $got/30 fetched while they were down"
	during=$((during + got)); during_n=$((during_n + 30))
	for v in $(cat "$T/victims"); do
		start_node "n$v" --store-size 64M --listen "127.0.0.1:$(cat "$T/port$v")" || bad "n$v did not restart"
		rm -f "$T/dead$v"
	done
	r=$((r + 1))
done
t_re=$(date +%s)
check "every friend reconnects by itself after the restarts" wait_for 60 all_up $N
echo "  all links back $(($(date +%s) - t_re)) s after the last restart"
echo "  during churn: $during/$during_n fetches succeeded"
check "during churn at least 80% succeed ($during/$during_n)" [ $((during * 100)) -ge $((during_n * 80)) ]
after=$(fetch_some $DOCS $((SEED + 7777)))
echo "  after the network settled: $after/$DOCS"
check "after the churn at least 95% succeed ($after/$DOCS)" [ $((after * 100)) -ge $((DOCS * 95)) ]

# Every store that was killed mid-work verifies block by block.
bad_stores=0; blocks=0
for v in $(sort -u "$T/restarted"); do
	stop_node "n$v"
	out=$("$BUILD/tests/net/storetool" verify "$T/n$v/store")
	blocks=$((blocks + ${out%% ok*}))
	case "$out" in *" 0 bad") ;; *) bad_stores=$((bad_stores + 1)); echo "  n$v: $out" ;; esac
done
echo "  $(sort -u "$T/restarted" | wc -l | tr -d ' ') killed stores, $blocks blocks verified"
check "every killed node's store verifies, block by block" [ $bad_stores -eq 0 ]
finish
