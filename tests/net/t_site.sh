# Sites: a directory becomes a manifest and its files; paths resolve on
# any node, under a CHK or a USK edition.
. tests/net/lib.sh

start_node a || exit 1
start_node b || exit 1
w a peer add "$(w b noderef)" >/dev/null
w b peer add "$(w a noderef)" >/dev/null
check "a and b linked" wait_for 5 connected a 1

mkdir -p "$T/site/css" "$T/site/img" "$T/site/deep/er"
echo "<!doctype html><title>a wisp site</title><p>hello" >"$T/site/index.html"
echo "p { color: teal }" >"$T/site/css/style.css"
head -c 100000 /dev/urandom >"$T/site/img/photo.jpg"
echo "nested" >"$T/site/deep/er/note.txt"
uri=$(w a put -q --dir "$T/site")
check "put --dir prints a URI" [ -n "$uri" ]
w b get -q "$uri" -o "$T/root"
check "the site's URI gives index.html" cmp -s "$T/site/index.html" "$T/root"
for f in css/style.css img/photo.jpg deep/er/note.txt index.html; do
	w b get -q "$uri/$f" -o "$T/got"
	check "path $f" cmp -s "$T/site/$f" "$T/got"
done
expect_exit 4 "a missing path is not found" w b get -q "$uri/missing.html"
check "and says so" grep -q "no such path" "$T/err"
expect_exit 2 "a path with '..' is refused" w b get -q "$uri/../etc/passwd"

# The same directory as edition 1 and 2 of an updatable site.
w a -q keygen >"$T/keys"
ins=$(sed -n 's/^insert: //p' "$T/keys" | sed 's/^SSK/USK/')
req=$(sed -n 's/^request: //p' "$T/keys" | sed 's/^SSK/USK/')
w a put -q --dir "$T/site" --key "${ins}home/1" >/dev/null
echo "<!doctype html><title>edition 2</title>" >"$T/site/index.html"
w a put -q --dir "$T/site" --key "${ins}home/2" >/dev/null
w b get -q "${req}home/latest" -o "$T/latest"
check "latest edition's default document" cmp -s "$T/site/index.html" "$T/latest"
w b get -q "${req}home/1/deep/er/note.txt" -o "$T/n1"
check "a path inside edition 1" cmp -s "$T/site/deep/er/note.txt" "$T/n1"
expect_exit 2 "a site needs a USK, not an SSK" w a put -q --dir "$T/site" --key "$(sed -n 's/^insert: //p' "$T/keys")x"

# A file name a URI cannot carry is refused before anything is inserted.
mkdir -p "$T/bad"
echo x >"$T/bad/has space.html"
expect_exit 2 "a file name with a space is refused" w a put -q --dir "$T/bad"

finish
