# The client as a newcomer meets it (issue 24, first part): help for
# every command, a directory given to put, keys pasted as the gateway
# shows them (a whole URL, a trailing '/'), the store's size to one
# decimal.
. tests/net/lib.sh

start_node a || exit 1
expect_exit 0 "wisp help" w a help
check "lists every command and the exit codes" sh -c "'$WISP' help | grep -q '^  help \[COMMAND\]' && '$WISP' help | grep -q '4 not found in the network'"
for cmd in put get status noderef invite peer seed keygen; do
	expect_exit 0 "wisp help $cmd" w a help "$cmd"
	expect_exit 0 "wisp $cmd --help" w a "$cmd" --help
done
check "get's help explains the hop estimate" sh -c "'$WISP' help get | grep -q 'found about N hops away'"
expect_exit 2 "help for no such command" w a help nosuch
mkdir -p "$T/site"
echo hi >"$T/site/index.html"
expect_exit 2 "put of a directory without --dir" w a put "$T/site"
check "says what would work" grep -q "is a directory: use wisp put --dir" "$T/err"

echo "pasted as people paste it" >"$T/doc"
uri=$(w a put -q --name "notes.txt" "$T/doc")
gw=$(cat "$T/a/api.addr")
for form in "$uri" "$uri/" "http://$gw/$uri" "http://$gw/$uri/"; do
	rm -f "$T/got"
	w a get "$form" -o "$T/got" >/dev/null 2>&1
	check "get of '$(echo "$form" | sed "s|$gw|GATEWAY|; s|CHK@[^/]*|CHK@…|")'" cmp -s "$T/doc" "$T/got"
done
expect_exit 2 "a URL that holds no key is still a bad URI" w a get "http://$gw/nothing"

# A name with a space and a non-ASCII letter: the URI percent-encodes it,
# and get, the gateway and the home page's box read it back.
expect_exit 0 "put --name 'my file ü.txt'" w a put -q --name "my file ü.txt" "$T/doc"
named=$(cat "$T/out")
check "prints the name percent-encoded (${named##*/})" sh -c "echo '$named' | grep -q '/my%20file%20%C3%BC.txt\$'"
rm -f "$T/got"
w a get "$named" -o "$T/got" >/dev/null 2>&1
check "which wisp get reads back" cmp -s "$T/doc" "$T/got"
check "and the gateway serves as text/plain" sh -c "curl -s -D - -o '$T/gw' 'http://$gw/$named' | grep -qi '^content-type: text/plain' && cmp -s '$T/doc' '$T/gw'"
check "and the home page's key box opens it as written" sh -c "curl -s -D - -o /dev/null -G --data-urlencode 'key=$named' 'http://$gw/' | tr -d '\r' | grep -qx 'Location: /$named'"
head -c 5000 /dev/urandom >"$T/bin"
binuri=$(w a put -q --name "data ü (1).bin" "$T/bin")
check "a download carries its name: $(curl -s -D - -o /dev/null "http://$gw/$binuri" | tr -d '\r' | grep -i '^content-disposition')" sh -c "
	curl -s -D - -o /dev/null 'http://$gw/$binuri' | tr -d '\r' | grep -qix \"content-disposition: attachment; filename=\\\"data _ (1).bin\\\"; filename\*=UTF-8''data%20%C3%BC%20%281%29.bin\""
mkdir -p "$T/noindex/sub" && echo a >"$T/noindex/a.txt" && echo b >"$T/noindex/sub/b.txt"
site=$(w a put -q --dir "$T/noindex")
curl -s "http://$gw/$site/" >"$T/listing"
check "a site without index.html shows its files, linked" sh -c "grep -q '<a href=\"a.txt\">a.txt</a>' '$T/listing' && grep -q '<a href=\"sub/b.txt\">sub/b.txt</a>' '$T/listing'"
check "and a link from the listing opens the file" sh -c "curl -s 'http://$gw/$site/sub/b.txt' | grep -qx b"
w a keygen >"$T/kg" 2>/dev/null
uins=$(sed -n 's/^insert: *SSK@//p' "$T/kg"); ureq=$(sed -n 's/^request: *SSK@//p' "$T/kg")
echo one >"$T/e1"; echo two >"$T/e2"
w a put -q "$T/e1" --key "USK@${uins}s/1" >/dev/null && w a put -q "$T/e2" --key "USK@${uins}s/2" >/dev/null
check "the gateway sends …/latest/ to the edition it found: $(curl -s -D - -o /dev/null "http://$gw/USK@${ureq}s/latest" | tr -d '\r' | grep -i '^location' | sed 's/USK@[^/]*/USK@…/')" \
	sh -c "curl -s -D - -o /dev/null 'http://$gw/USK@${ureq}s/latest' | tr -d '\r' | grep -qx 'Location: /USK@${ureq}s/2'"
expect_exit 0 "publishing edition 4 after 2" w a put -q "$T/e2" --key "USK@${uins}s/4"
check "warns that edition 3 is missing" grep -q "edition 3 of this site is not found" "$T/err"
expect_exit 0 "publishing edition 3 then" w a put -q "$T/e1" --key "USK@${uins}s/3"
check "does not warn" sh -c "! grep -q 'not found' '$T/err'"
# The bars, on a terminal (script gives the client a pty).
head -c 3000000 /dev/urandom >"$T/bar"
script -qec "'$WISP' -d '$T/a' put '$T/bar'" /dev/null >"$T/tty.put" 2>&1
baruri=$(grep -o 'CHK@[A-Za-z0-9_,-]*' "$T/tty.put" | head -1)
script -qec "'$WISP' -d '$T/a' get '$baruri' -o '$T/bar.back'" /dev/null >"$T/tty.get" 2>&1
check "put's bar: done of total, the line cleared ($(tr '\r' '\n' <"$T/tty.put" | grep '^put' | tail -1 | cat -v))" \
	sh -c "tr '\r' '\n' <'$T/tty.put' | grep -q '^put \[#*\] 2.9 MiB of 2.9 MiB.*$(printf '\033')\[K'"
check "get's bar shows the total too ($(tr '\r' '\n' <"$T/tty.get" | grep '^get' | tail -1 | cat -v))" \
	sh -c "tr '\r' '\n' <'$T/tty.get' | grep -q '^get \[#*\] 2.9 MiB of 2.9 MiB'"
check "  and the file came whole" cmp -s "$T/bar" "$T/bar.back"
expect_exit 2 "a name over 255 bytes as the URI writes it is refused" w a put --name "$(printf 'ü%.0s' $(seq 1 50))" "$T/doc"
echo "tampered" >"$T/doc2"
turi=$(w a put -q "$T/doc2")
bad=$(echo "$turi" | sed 's/,A/,B/; t; s/,[^A]/,A/')
expect_exit 5 "a URI with its crypto key mistyped fails the integrity check" w a get "$bad"
check "and says it may be a mistyped URI" grep -q "mistyped or truncated URI" "$T/err"
check "status gives the store's size to one decimal" sh -c "'$WISP' -d '$T/a' status | grep -Eq '^store: .* [0-9]+\.[0-9] of [0-9]+ MiB'"
# peer add says what happens next; the gateway's not-found page offers
# to try again.
start_node b2 || exit 1
inv=$(w a invite -q)
expect_exit 0 "peer add of an invite" w b2 peer add "$inv"
check "says an invite links once" grep -q "an invite links once" "$T/err"
expect_exit 0 "peer add of a noderef, named" w b2 peer add "$(w a noderef)" --name "alice ü"
check "says the friend must add this node too" grep -q "once the friend has added this node" "$T/err"
# a one-sided noderef, and a spent invite: peer list says what it knows
start_node c2 || exit 1
w c2 peer add "$(w a noderef)" >/dev/null 2>&1
refused_b() { w c2 peer list | grep -q "it refused our handshake: it may not have added this node yet"; }
check "a friend that has not added us: peer list says it refused our handshake, and why" wait_for 20 refused_b
start_node d2 || exit 1
w d2 peer add "$inv" >/dev/null 2>&1
spent() { w d2 peer list | grep -q "the invite may have been used already"; }
check "a spent invite: peer list says the invite may have been used" wait_for 20 spent
stop_node c2
stop_node d2
check "peer list shows the name first" sh -c "'$WISP' -d '$T/b2' peer list | grep -q '^alice ü: '"
stop_node b2
start_node b2 || exit 1
check "and keeps it across a restart" sh -c "'$WISP' -d '$T/b2' peer list | grep -q '^alice ü: '"
expect_exit 2 "a name with a control character is refused" w b2 peer add "$(w a noderef)" --name "$(printf 'a\tb')"
expect_exit 2 "and one over 32 bytes" w b2 peer add "$(w a noderef)" --name "$(printf 'n%.0s' $(seq 1 40))"
missing="CHK@$(printf 'A%.0s' $(seq 1 43)),$(printf 'B%.0s' $(seq 1 42))A"
check "the gateway's not-found page has a link to try again" sh -c "curl -s 'http://$gw/$missing' | grep -q '<a href=\"/$missing\">Try again</a>'"
stop_node b2

# wisp reload and wisp stop, through the API.
expect_exit 0 "wisp reload rereads wispd.conf" w a reload
cp "$T/a/wispd.conf" "$T/conf.good"
echo "bogus-key = 1" >>"$T/a/wispd.conf"
expect_exit 1 "a file with an error is refused" w a reload
check "naming the line: $(head -c 120 "$T/err")" grep -q "wispd.conf:.*bogus-key" "$T/err"
cp "$T/conf.good" "$T/a/wispd.conf"
expect_exit 0 "wisp stop stops the node" w a stop
check "its process is gone (its lock free) and its address file removed" sh -c "flock -n '$T/a/wispd.lock' true && [ ! -e '$T/a/api.addr' ]"
expect_exit 3 "then the node cannot be reached" w a status
# A daemon says where it is before it detaches.
"$WISPD" -d "$T/dm" --listen 127.0.0.1:0 --api 127.0.0.1:0 --store-size 64M 2>"$T/dm.err"
dpid=$(cat "$T/dm/wispd.pid" 2>/dev/null)
[ -n "$dpid" ] && PIDS="$PIDS $dpid"
check "wispd without --foreground prints its pid, API, data directory and log" sh -c "
	grep -q 'running as pid $dpid: API and gateway on http://127.0.0.1:' '$T/dm.err' && grep -q 'log in $T/dm/wispd.log' '$T/dm.err'"
expect_exit 0 "and wisp stop stops it" w dm stop
finish
