# A real browser (headless Chromium) opens a site through the gateway: the
# page renders, and an image on the outside web is never requested.
. tests/net/lib.sh

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "  installing Debian's chromium for this test"
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 ||
		{ $SUDO apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; }
	CHROMIUM=$(command -v chromium || true)
fi
if [ -z "$CHROMIUM" ]; then
	echo "  SKIP: Chromium could not be installed here; the gateway's headers are tested by t_gateway"
	finish
	exit $?
fi

start_node a || exit 1
addr=$(cat "$T/a/api.addr")
# A listener standing for "the outside web": any connection is recorded.
"$RELAY" "$T/outside.port" "${addr##*:}" "$T/outside.rec" &
PIDS="$PIDS $!"
wait_for 5 test -s "$T/outside.port"
out=$(cat "$T/outside.port")
: >"$T/outside.rec"

mkdir -p "$T/site/img"
# a 1x1 teal PNG
echo 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgaGgAAAHEAMGJBN7lAAAAAElFTkSuQmCC' |
	base64 -d >"$T/site/img/local.png"
cat >"$T/site/index.html" <<EOF2
<!doctype html>
<html><head><meta charset=utf-8><title>wisp browser test</title>
<link rel=stylesheet href="style.css"></head>
<body><h1 id=greeting>Hello from wisp</h1>
<p>A page read through the gateway.</p>
<img src="img/local.png" alt="local" width=40 height=40> (a picture from the site)
<p>Below, an image and a script from outside the node: blocked.</p>
<img src="http://127.0.0.1:$out/leak.png" alt="outside">
<script src="http://127.0.0.1:$out/leak.js"></script>
</body></html>
EOF2
echo 'h1 { color: #075; font-family: sans-serif }' >"$T/site/style.css"
# A page that tries to take its reader away by itself: a meta refresh
# (disarmed by the filter, and by the sandbox), a script, an onload handler.
cat >"$T/site/away.html" <<EOF2
<!doctype html><html><head><title>stays here</title>
<meta http-equiv="refresh" content="0;url=http://127.0.0.1:$out/refresh">
<script>location.href = 'http://127.0.0.1:$out/script';</script></head>
<body onload="location.href='http://127.0.0.1:$out/onload'"><h1 id=still>still on wisp</h1></body></html>
EOF2
site=$(w a put -q --dir "$T/site")
url="http://$addr/$site/"
flags="--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$T/chrome"
timeout 90 "$CHROMIUM" $flags --virtual-time-budget=3000 --dump-dom "$url" >"$T/dom" 2>"$T/chrome.err"
check "the page rendered (DOM has the heading)" grep -q 'id="greeting">Hello from wisp' "$T/dom"
check "with its title" grep -q '<title>wisp browser test</title>' "$T/dom"
timeout 90 "$CHROMIUM" $flags --window-size=900,500 --screenshot="$T/shot.png" "$url" >/dev/null 2>&1
check "a screenshot was taken" [ -s "$T/shot.png" ]
[ -n "${WISP_SCREENSHOT:-}" ] && cp "$T/shot.png" "$WISP_SCREENSHOT"
sleep 0.5
check "nothing reached the outside listener (image and script blocked)" [ ! -s "$T/outside.rec" ]
timeout 90 "$CHROMIUM" $flags --virtual-time-budget=3000 --dump-dom "${url}away.html" >"$T/dom2" 2>>"$T/chrome.err"
check "a page cannot send its reader away (refresh, script, onload)" grep -q 'id="still">still on wisp' "$T/dom2"
sleep 0.5
check "and the outside listener saw no connection" [ ! -s "$T/outside.rec" ]

# The corpus of hostile pages (tests/gateway/): each opened and left to
# settle; the canary (the same recording listener) must see nothing.
# The canary logs every connection, even one that sends no byte (a
# preconnect); the relay above records only bytes.
python3 tests/net/sockets.py canary "$T/canary.port" "$T/canary.log" &
PIDS="$PIDS $!"
wait_for 5 test -s "$T/canary.port"
canary=$(cat "$T/canary.port")
: >"$T/canary.log"
mkdir -p "$T/corpus"
for f in tests/gateway/*.html; do
	sed "s/CANARY/127.0.0.1:$canary/g" "$f" >"$T/corpus/$(basename "$f")"
done
# a page whose Content-Type says UTF-16 and whose bytes say UTF-8: the
# filter reads it as the browser would
corpus=$(w a put -q --dir "$T/corpus")
pages=0
for f in "$T"/corpus/*.html; do
	p=$(basename "$f")
	timeout 60 "$CHROMIUM" $flags --virtual-time-budget=2000 --dump-dom "http://$addr/$corpus/$p" \
	    >"$T/dom-$p" 2>>"$T/chrome.err"
	if grep -q "<title>${p%.html}</title>" "$T/dom-$p"; then pages=$((pages + 1)); else echo "  (not rendered: $p)"; fi
done
n=$(ls "$T"/corpus/*.html | wc -l)
check "every hostile page of the corpus rendered ($pages of $n)" [ "$pages" -eq "$n" ]
sleep 0.5
check "and the canary saw no connection at all" [ ! -s "$T/canary.log" ]
[ -s "$T/canary.log" ] && head -n 5 "$T/canary.log"

# And clicked through: every link and every form of every page (Chrome
# DevTools protocol, tests/gateway/click.js). A link out of wisp must land
# on the warning page; nothing may reach the canary.
if node --experimental-websocket -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
	names=$(cd "$T/corpus" && ls *.html | tr '\n' ' ')
	timeout 300 node --experimental-websocket tests/gateway/click.js "$CHROMIUM" "http://$addr/$corpus/" $names \
	    >"$T/clicks" 2>"$T/clicks.err"
	echo "  $(grep -c '^link' "$T/clicks") links and $(grep -c '^form' "$T/clicks") forms followed"
	check "every click stayed on the node" sh -c "[ -s '$T/clicks' ] && ! grep -v ' http://$addr /' '$T/clicks' | grep -q ."
	check "a link out of wisp lands on the warning page" grep -q "^link links.html 0 http://$addr /outside$" "$T/clicks"
	sleep 0.5
	check "and the canary still saw no connection" [ ! -s "$T/canary.log" ]
else
	echo "  SKIP (clicks): node with WebSocket is not here; the pages were opened, not clicked"
fi

finish
