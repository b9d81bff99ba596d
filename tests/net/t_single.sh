# One node: round trips, exit codes, corruption, restart, no plaintext at rest.
. tests/net/lib.sh

start_node a || exit 1

for size in 0 1 32767 32768 32769 1048576 104857600; do
	head -c "$size" /dev/urandom >"$T/in.$size"
	uri=$(w a put -q "$T/in.$size") || { bad "put $size bytes"; continue; }
	echo "$uri" >"$T/uri.$size"
	w a get -q "$uri" -o "$T/out.$size" && cmp -s "$T/in.$size" "$T/out.$size"
	if [ $? -eq 0 ]; then ok "round trip $size bytes"; else bad "round trip $size bytes"; fi
done

# The same file gives the same URI; --key-only agrees without a node.
check "identical files, identical URIs" [ "$(w a put -q "$T/in.32769")" = "$(cat "$T/uri.32769")" ]
check "--key-only computes the same URI" [ "$("$WISP" -d /nonexistent put --key-only -q "$T/in.32769")" = "$(cat "$T/uri.32769")" ]
check "stdin works" [ "$(w a put -q - <"$T/in.1")" = "$(cat "$T/uri.1")" ]
w a get -q "$(cat "$T/uri.1048576")" >"$T/stdout.out"
check "get to stdout" cmp -s "$T/in.1048576" "$T/stdout.out"

# Exit codes of DESIGN.md.
expect_exit 2 "malformed URI" w a get "CHK@nonsense"
expect_exit 2 "unknown command" w a frobnicate
never="CHK@AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8,ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8"
expect_exit 4 "never-inserted URI" w a get "$never"
check "no partial file left behind" [ ! -e "$T/x.part" ]
expect_exit 4 "never-inserted URI to a file" w a get "$never" -o "$T/x"
check "failed get leaves no file" [ ! -e "$T/x" ] && [ ! -e "$T/x.part" ]
expect_exit 2 "put of a missing file" w a put "$T/does-not-exist"

# The API refuses what it should.
addr=$(cat "$T/a/api.addr")
tok=$(cat "$T/a/api.token")
code=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/api/v1/status")
check "no token: 401" [ "$code" = 401 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer x$tok" "http://$addr/api/v1/status")
check "wrong token: 401" [ "$code" = 401 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: evil.example:80" -H "Authorization: Bearer $tok" "http://$addr/api/v1/status")
check "foreign Host: 403" [ "$code" = 403 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" -X POST --data-binary "garbage" "http://$addr/api/v1/blocks")
check "garbage upload: 400" [ "$code" = 400 ]
head -c 36 /dev/zero >"$T/zero36"; printf 'x' >>"$T/zero36"
code=$(curl -s -o "$T/resp" -w '%{http_code}' -H "Authorization: Bearer $tok" -X POST --data-binary @"$T/zero36" "http://$addr/api/v1/blocks")
check "zero-length record: 400" [ "$code" = 400 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "http://$addr/api/v1/nope")
check "unknown endpoint: 404" [ "$code" = 404 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" -X POST "http://$addr/api/v1/status")
check "wrong method: 405" [ "$code" = 405 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "http://$addr/api/v1/get?uri=CHK@zz")
check "bad uri parameter: 400" [ "$code" = 400 ]
w a status --json >"$T/status.json"
check "status --json has peers and store" grep -q '"peers": {"known": 0, "connected": 0}, "store": {"blocks": [0-9]*, "bytes": [0-9]*, "capacity": 536870912' "$T/status.json"

# No plaintext at rest: a random marker inside a larger file appears
# nowhere under the data directory, logs included.
marker=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=' | head -c 64)
{ head -c 100000 /dev/urandom; printf '%s' "$marker"; head -c 100000 /dev/urandom; } >"$T/marked"
w a put -q --name marked.bin "$T/marked" >"$T/uri.marked"
w a put -q --name marked.txt - <<EOF2 >/dev/null
$marker
EOF2
stop_node a
check "marker not on disk" sh -c "! grep -r -a -q -F '$marker' '$T/a'"
start_node a || exit 1

# A second wispd on the same data directory fails at once, clearly.
"$WISPD" -d "$T/a" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground 2>"$T/second.err"
rc=$?
check "second wispd refused" [ $rc -ne 0 ]
check "second wispd says why" grep -q "in use by another wispd" "$T/second.err"

# A restart keeps every document.
stop_node a
start_node a || exit 1
all=1
for size in 0 1 32767 32768 32769 1048576; do
	w a get -q "$(cat "$T/uri.$size")" -o "$T/re.$size" && cmp -s "$T/in.$size" "$T/re.$size" || all=0
done
check "every document survives a restart" [ $all -eq 1 ]

# A block corrupted on disk: exit 5, and the bad block is removed. A node
# of its own holds just this document, so the damaged block is its. The
# document is a plain tree (--redundancy 0), where every block is needed;
# an erasure-coded one reads on without a bad block (t_fec, unit fec).
start_node c || exit 1
curi=$(w c put -q --redundancy 0 "$T/in.1048576")
nblocks() { w "$1" status --json | sed -E 's/.*"store": \{"blocks": ([0-9]+).*/\1/'; }
before=$(nblocks c)
stop_node c
n=$("$STORETOOL" corrupt "$T/c/store" 1)
check "corrupted $n block on disk" [ "$n" -eq 1 ]
start_node c || exit 1
expect_exit 5 "corrupt block detected" w c get -q "$curi" -o "$T/corrupt.out"
check "no output file from a failed get" [ ! -e "$T/corrupt.out" ]
failed=$(w c status --json | sed -E 's/.*"verify_failed": ([0-9]+).*/\1/')
check "corrupt block counted" [ "$failed" -eq 1 ]
after=$(nblocks c)
check "the corrupt block was removed ($before blocks, then $after)" [ "$after" -eq $((before - 1)) ]
expect_exit 4 "then the document is not found" w c get -q "$curi" -o "$T/corrupt.out"
stop_node c

# Node stopped: exit 3.
stop_node a
expect_exit 3 "node stopped" w a get "$(cat "$T/uri.1")"
expect_exit 3 "node stopped (put)" w a put "$T/in.1"
check "address files removed at stop" [ ! -e "$T/a/api.addr" ]

finish
