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
check "the site's page" cmp -s "$T/site/index.html" "$T/b"
check "as HTML" sh -c "echo '$(hdr Content-Type)' | grep -q '^text/html'"
check "a strict Content-Security-Policy" sh -c "echo \"$(hdr Content-Security-Policy)\" | grep -q \"connect-src 'none'\""
check "that allows nothing from outside" sh -c "echo \"$(hdr Content-Security-Policy)\" | grep -q \"default-src 'self'\""
check "Referrer-Policy: no-referrer" [ "$(hdr Referrer-Policy)" = no-referrer ]
check "X-Content-Type-Options: nosniff" [ "$(hdr X-Content-Type-Options)" = nosniff ]
check "an ETag" [ -n "$(hdr ETag)" ]
check "Content-Length" [ "$(hdr Content-Length)" = "$(wc -c <"$T/site/index.html" | tr -d ' ')" ]
get "http://$addr/$site/css/s.css"
check "a path in the site, as CSS" sh -c "cmp -s '$T/site/css/s.css' '$T/b' && echo '$(hdr Content-Type)' | grep -q '^text/css'"

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
check "with no script" sh -c "! grep -qi '<script' '$T/b'"
get "http://$addr/?key=$site"
check "its form leads to the key" [ "$(status)" = 302 -a "$(hdr Location)" = "/$site" ]

finish
