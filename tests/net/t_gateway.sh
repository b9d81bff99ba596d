# The gateway: documents and sites for a browser, with the headers that
# keep a page from reaching outside the node.
. tests/net/lib.sh

start_node a || exit 1
addr=$(cat "$T/a/api.addr")
mkdir -p "$T/site/css"
echo '<!doctype html><title>a wisp page</title><link rel=stylesheet href="css/s.css"><p>hello' >"$T/site/index.html"
echo 'p { color: teal }' >"$T/site/css/s.css"
site=$(w a put -q --dir "$T/site")
head -c 200000 /dev/urandom >"$T/big"
big=$(w a put -q "$T/big")

get() { curl -s -D "$T/h" -o "$T/b" "$@"; }
hdr() { grep -i "^$1:" "$T/h" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
status() { head -n 1 "$T/h" | cut -d' ' -f2; }

get "http://$addr/$site"
check "a site without its slash is redirected to it" [ "$(status)" = 301 ]
check "to the same address with a slash" [ "$(hdr Location)" = "/$site/" ]
get "http://$addr/$site/"
check "the site's page, as the filter writes it" grep -q '^<!DOCTYPE html><html><head><title>a wisp page</title><link rel="stylesheet" href="css/s.css"></head><body><p>hello' "$T/b"
check "as HTML" sh -c "echo '$(hdr Content-Type)' | grep -q '^text/html'"
check "a strict Content-Security-Policy" sh -c "echo \"$(hdr Content-Security-Policy)\" | grep -q \"connect-src 'none'\""
check "that allows nothing from outside" sh -c "echo \"$(hdr Content-Security-Policy)\" | grep -q \"default-src 'self'\""
check "Referrer-Policy: no-referrer" [ "$(hdr Referrer-Policy)" = no-referrer ]
check "X-Content-Type-Options: nosniff" [ "$(hdr X-Content-Type-Options)" = nosniff ]
check "an ETag" [ -n "$(hdr ETag)" ]
check "Content-Length" [ "$(hdr Content-Length)" = "$(wc -c <"$T/b" | tr -d ' ')" ]
check "served as UTF-8" sh -c "echo '$(hdr Content-Type)' | grep -qi 'charset=utf-8'"
check "cross-origin isolation headers" sh -c "[ '$(hdr Cross-Origin-Opener-Policy)' = same-origin ] && [ '$(hdr Cross-Origin-Resource-Policy)' = same-origin ] && [ '$(hdr X-DNS-Prefetch-Control)' = off ]"
get "http://$addr/$site/css/s.css"
check "a path in the site, as CSS, filtered" sh -c "grep -qx 'p{color: teal}' '$T/b' && echo '$(hdr Content-Type)' | grep -q '^text/css; charset=utf-8'"

get -H "Range: bytes=1000-1999" "http://$addr/$big"
check "a range: 206" [ "$(status)" = 206 ]
check "with Content-Range" [ "$(hdr Content-Range)" = "bytes 1000-1999/200000" ]
tail -c +1001 "$T/big" | head -c 1000 >"$T/want"
check "and exactly those bytes" cmp -s "$T/want" "$T/b"
get -H "Range: bytes=-10" "http://$addr/$big"
check "a suffix range" sh -c "[ \"$(status)\" = 206 ] && tail -c 10 '$T/big' | cmp -s - '$T/b'"
get -H "Range: bytes=500000-" "http://$addr/$big"
check "a range past the end: 416" [ "$(status)" = 416 ]
get "http://$addr/$big"
check "the whole file" cmp -s "$T/big" "$T/b"

get "http://$addr/$site/missing.html"
check "a missing path: a readable 404 page" sh -c "[ \"$(status)\" = 404 ] && grep -q 'no such path' '$T/b'"
get "http://$addr/CHK@AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8,ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8"
check "a document not in the network: 404 page" sh -c "[ \"$(status)\" = 404 ] && grep -q 'Not found' '$T/b'"
get "http://$addr/CHK@nonsense"
check "a bad address: 400 page" [ "$(status)" = 400 ]
get -H "Host: evil.example" "http://$addr/$site/"
check "a foreign Host is refused (DNS rebinding)" [ "$(status)" = 403 ]
get "http://$addr/api/v1/status"
check "the API still needs its token" [ "$(status)" = 401 ]
get "http://$addr/"
check "a home page" sh -c "[ \"$(status)\" = 200 ] && grep -q 'Open a key' '$T/b'"
check "whose only script is the node's own" sh -c "[ \"\$(grep -o '<script[^>]*>' '$T/b')\" = '<script src=\"/wisp-home.js\">' ]"
check "that no page can frame" sh -c "grep -qi \"frame-ancestors 'none'\" '$T/h'"
get "http://$addr/?key=$site"
check "its form leads to the key" [ "$(status)" = 302 -a "$(hdr Location)" = "/$site" ]

# Links out of wisp go to a warning page; the page runs no script.
mkdir -p "$T/site2"
cat >"$T/site2/index.html" <<'HTML'
<!doctype html><title>links</title>
<a id=in href="other.html">in</a>
<a id=out href="https://evil.example/track?u=1">out</a>
<a href="&#104;ttp://evil.example/">sneaky</a>
<a ping="http://evil.example/ping" href="/">ping</a>
<meta http-equiv="refresh" content="0;url=http://evil.example/">
HTML
echo '<p>other' >"$T/site2/other.html"
printf '%%PDF-1.4 fake' >"$T/site2/doc.pdf"
echo '<?xml version="1.0"?><r/>' >"$T/site2/feed.xml"
echo '<svg xmlns="http://www.w3.org/2000/svg"><image href="http://evil.example/i.png"/></svg>' >"$T/site2/pic.svg"
site2=$(w a put -q --dir "$T/site2")
get "http://$addr/$site2/"
check "an outside link points at the warning page" grep -q 'href="/outside?url=https%3A%2F%2Fevil.example%2Ftrack%3Fu%3D1"' "$T/b"
check "character references do not hide one" sh -c "! grep -q '&#104;ttp' '$T/b'"
check "a link inside the site is untouched" grep -q 'href="other.html"' "$T/b"
check "ping attributes are dropped" sh -c "! grep -q 'ping=' '$T/b'"
check "a meta refresh is disarmed" sh -c "! grep -qi 'http-equiv=\"refresh' '$T/b'"
check "Content-Length is the filtered page's" [ "$(hdr Content-Length)" = "$(wc -c <"$T/b" | tr -d ' ')" ]
check "network pages are sandboxed without script" sh -c "echo \"$(hdr Content-Security-Policy)\" | grep -q \"script-src 'none'.*sandbox\""
get "http://$addr/$site2/doc.pdf"
check "a PDF (live links the filter cannot see) is a download" sh -c "echo '$(hdr Content-Disposition)' | grep -q attachment"
get -H "Sec-Fetch-Dest: document" "http://$addr/$site2/doc.pdf"
check "opened in a browser, a PDF is a page that says why it is not shown" sh -c "[ '$(status)' = 200 ] && grep -q 'not shown here' '$T/b' && grep -q 'download=1' '$T/b'"
get -H "Sec-Fetch-Dest: document" "http://$addr/$site2/doc.pdf?download=1"
check "and its link saves the bytes" sh -c "echo '$(hdr Content-Disposition)' | grep -q attachment && grep -q PDF '$T/b'"
get -H "Sec-Fetch-Dest: document" "http://$addr/$site2/pic.svg"
check "an SVG opened directly is not rendered" sh -c "grep -q 'not shown here' '$T/b'"
get -H "Sec-Fetch-Dest: image" "http://$addr/$site2/pic.svg"
check "an SVG as an image is served (a browser loads nothing from it)" sh -c "echo '$(hdr Content-Type)' | grep -q '^image/svg+xml'"
get "http://$addr/?key=/evil.example/path"
check "the home page's key box takes only keys (no open redirect)" sh -c "[ '$(status)' = 400 ] && ! grep -qi '^Location' '$T/h'"
get "http://$addr/?key=%20http%3A%2F%2F127.0.0.1%3A8484%2F$site%2F%20"
check "a pasted gateway URL opens its key" [ "$(status)" = 302 -a "$(hdr Location)" = "/$site/" ]
get "http://$addr/?key=CHK@x%2F%2F%0D%0ASet-Cookie:a"
check "what it puts in Location is percent-encoded" sh -c "! grep -qi '^Set-Cookie' '$T/h'"
get "http://$addr/$site2/feed.xml"
check "XML is shown as text" sh -c "echo '$(hdr Content-Type)' | grep -q '^text/plain'"
get "http://$addr/outside?url=https%3A%2F%2Fevil.example%2Fx"
check "the warning page names the address" sh -c "[ \"$(status)\" = 200 ] && grep -q 'https://evil.example/x' '$T/b' && grep -q 'IP address' '$T/b'"
check "its link sends no referrer" grep -q 'rel="noreferrer noopener" href="https://evil.example/x"' "$T/b"
get "http://$addr/outside?url=javascript%3Aalert(1)"
check "a javascript: address is never a link" sh -c "! grep -q 'href=\"javascript' '$T/b'"

get "http://$addr/wisp-home.js"
check "the home page's script is served as JavaScript" sh -c "echo '$(hdr Content-Type)' | grep -q '^text/javascript'"
if command -v node >/dev/null 2>&1; then
	cp "$T/b" "$T/home.js"
	check "and parses" node --check "$T/home.js"
fi

# Uploads from the home page: only with the page's own token.
get "http://$addr/"
form=$(grep -o 'data-form="[0-9a-f]*"' "$T/b" | cut -d'"' -f2)
check "the home page carries an upload token" [ ${#form} -eq 32 ]
get -X POST "http://$addr/upload/new?size=10&kind=file"
check "an upload without it is refused" [ "$(status)" = 403 ]
get -X POST -H "X-Wisp-Form: $form" -H "Sec-Fetch-Site: cross-site" "http://$addr/upload/new?size=10&kind=file"
check "and one from another site" [ "$(status)" = 403 ]
get -X POST -H "X-Wisp-Form: $form" "http://$addr/upload/new?size=99999999999&kind=file"
check "a file over the limit: 413" [ "$(status)" = 413 ]
# upload FILE KIND: send it in 1 MiB pieces as the page does; print the URI
upload() {
	_size=$(wc -c <"$1" | tr -d ' ')
	_q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$(basename "$1")")
	_id=$(curl -s -X POST -H "X-Wisp-Form: $form" "http://$addr/upload/new?name=$_q&size=$_size&kind=$2" |
		sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p')
	[ -n "$_id" ] || return 1
	split -b 1048576 -d -a 4 "$1" "$T/piece."
	_off=0
	for _p in "$T"/piece.*; do
		curl -s -X POST -H "X-Wisp-Form: $form" --data-binary "@$_p" "http://$addr/upload/$_id?offset=$_off" >/dev/null
		_off=$((_off + $(wc -c <"$_p")))
		rm -f "$_p"
	done
	_n=0
	while [ $_n -lt 300 ]; do
		curl -s -H "X-Wisp-Form: $form" "http://$addr/upload/$_id" >"$T/up.json"
		grep -q '"state": "done"' "$T/up.json" && { sed -n 's/.*"uri": "\([^"]*\)".*/\1/p' "$T/up.json"; return 0; }
		grep -q '"state": "failed"' "$T/up.json" && { cat "$T/up.json" >&2; return 1; }
		sleep 0.1; _n=$((_n + 1))
	done
	return 1
}
head -c 3000000 /dev/urandom >"$T/up.bin"
u=$(upload "$T/up.bin" file)
check "a 3 MB file uploaded from the home page gets a key" sh -c "echo '$u' | grep -q '^CHK@.*/up.bin$'"
check "the key wisp put gives it (the node encodes on all its cores, into the same blocks)" \
	[ "$u" = "$(w a put --key-only --name up.bin "$T/up.bin" 2>/dev/null)" ]
w a get "$u" -o "$T/up.back" 2>/dev/null
check "which fetches byte for byte" cmp -s "$T/up.bin" "$T/up.back"
cp "$T/up.bin" "$T/my notes ü.bin"
u2=$(upload "$T/my notes ü.bin" file)
check "an upload keeps its file name in the key, percent-encoded (${u2##*/})" sh -c "echo '$u2' | grep -q '/my%20notes%20%C3%BC.bin$'"
(cd "$T" && python3 -c "
import zipfile
z = zipfile.ZipFile('site.zip', 'w', zipfile.ZIP_DEFLATED)
z.writestr('mysite/index.html', '<!doctype html><title>zipped</title><p>from a zip')
z.writestr('mysite/img/a.txt', 'x' * 100000)
z.writestr('mysite/img/', '')
z.close()
z = zipfile.ZipFile('evil.zip', 'w')
z.writestr('../../etc/passwd', 'no')
z.close()
")
zs=$(upload "$T/site.zip" zip)
check "a zipped site gets a key" sh -c "echo '$zs' | grep -q '^CHK@'"
get "http://$addr/$zs/"
check "its index page is served, the zip's top folder left out" grep -q 'from a zip' "$T/b"
get "http://$addr/$zs/img/a.txt"
check "and its other files" [ "$(wc -c <"$T/b" | tr -d ' ')" = 100000 ]
upload "$T/evil.zip" zip >/dev/null 2>"$T/evil.err"
check "a zip with '..' in a path is refused" grep -q "not allowed" "$T/evil.err"

# A slow network: a page load is answered "still looking" and the reload
# gets the outcome. s's only friend is frozen; htl-max 3 bounds its wait.
start_node f || exit 1
mkdir -p "$T/s" && echo "htl-max = 3" >"$T/s/wispd.conf"
start_node s || exit 1
w s peer add "$(w f noderef)" >/dev/null
w f peer add "$(w s noderef)" >/dev/null
wait_for 5 connected s 1
kill -STOP "$(cat "$T/f.pid")"
saddr=$(cat "$T/s/api.addr")
missing="CHK@AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8,ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8"
t0=$(date +%s)
get -H "Accept: text/html" "http://$saddr/$missing"
check "a slow page load gets a 'still looking' page" sh -c "[ \"$(status)\" = 202 ] && grep -q 'Still looking' '$T/b' && grep -q 'http-equiv=refresh' '$T/b'"
check "after a few seconds, not a hang" [ $(($(date +%s) - t0)) -le 6 ]
get -H "Accept: text/html" "http://$saddr/$missing"
check "its reload while the search goes on: still looking" [ "$(status)" = 202 ]
sleep 8
get -H "Accept: text/html" "http://$saddr/$missing"
check "and once the network has answered: not found" sh -c "[ \"$(status)\" = 404 ] && grep -q 'Not found' '$T/b'"
kill -CONT "$(cat "$T/f.pid")"

finish
