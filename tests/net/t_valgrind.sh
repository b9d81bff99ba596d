# A node's whole run under valgrind --leak-check=full: start, a friend
# linked, an insert, a fetch, the gateway, an upload from the home page, a
# SIGHUP, a stop. No errors, no definite leaks. Skipped if valgrind is
# missing, and in the ASan build (they do not mix).
. tests/net/lib.sh
if ! command -v valgrind >/dev/null 2>&1 || [ -n "${WISP_ASAN:-}" ]; then
	echo "  SKIP: needs valgrind and a build without ASan"
	finish
	exit $?
fi
mkdir -p "$T/v"
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 --log-file="$T/vg.log" \
	"$WISPD" -d "$T/v" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground --log-level warn 2>>"$T/v.log" &
vpid=$!
PIDS="$PIDS $vpid"
echo "$vpid" >"$T/v.pid"
check "the node starts under valgrind" wait_for 60 test -s "$T/v/api.addr"
start_node f || exit 1
w v peer add "$(w f noderef)" >/dev/null
w f peer add "$(w v noderef)" >/dev/null
check "links with a friend" wait_for 20 connected v 1
head -c 2000000 /dev/urandom >"$T/doc"
uri=$(w v put -q "$T/doc")
w f get -q "$uri" -o "$T/back"
check "serves a friend's fetch" cmp -s "$T/doc" "$T/back"
addr=$(cat "$T/v/api.addr")
check "the gateway answers" sh -c "curl -s -o /dev/null -w '%{http_code}' 'http://$addr/$uri' | grep -q 200"
form=$(curl -s "http://$addr/" | grep -o 'data-form="[0-9a-f]*"' | cut -d'"' -f2)
id=$(curl -s -X POST -H "X-Wisp-Form: $form" "http://$addr/upload/new?name=a.txt&size=5&kind=file" | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p')
printf 'hello' | curl -s -X POST -H "X-Wisp-Form: $form" --data-binary @- "http://$addr/upload/$id?offset=0" >/dev/null
check "an upload from the home page completes" wait_for 30 sh -c "curl -s -H 'X-Wisp-Form: $form' 'http://$addr/upload/$id' | grep -q done"
kill -HUP "$vpid"
sleep 1
kill -TERM "$vpid"
wait "$vpid"
rc=$?
echo "  valgrind: $(grep -E 'in use at exit|ERROR SUMMARY' "$T/vg.log" | tr -s ' ' | head -2 | tr '\n' ' ')"
check "valgrind finds no error and no definite leak" [ $rc -eq 0 ]
finish
