# What a node keeps on disk about routing: nothing that names a key. The
# routing table (key -> the friend that answered) lives in memory only, so a
# seized disk does not show which keys passed through the node and who
# answered for them (docs/threat-model.md, "A seized disk").
. tests/net/lib.sh

start_node a || exit 1
start_node b || exit 1
w a peer add "$(w b noderef)" >/dev/null
w b peer add "$(w a noderef)" >/dev/null
check "a and b link" wait_for 10 connected a 1
i=0
while [ $i -lt 5 ]; do
	head -c 70000 /dev/urandom >"$T/doc$i"
	w b put -q "$T/doc$i" >"$T/uri$i"
	w a get -q "$(cat "$T/uri$i")" -o "$T/got$i"
	i=$((i + 1))
done
check "a fetched b's documents" cmp -s "$T/doc4" "$T/got4"
# b's inserts went on to a, so b's table learnt each key under a.
check "b's inserts reached a" sh -c "'$WISP' -d '$T/a' status --json | grep -q '\"inserts\": [1-9]'"
stop_node a
stop_node b
check "a's stopped store holds no routing table" [ "$("$STORETOOL" table "$T/a/store" rtable)" = 0 ]
check "nor does b's" [ "$("$STORETOOL" table "$T/b/store" rtable)" = 0 ]
finish
