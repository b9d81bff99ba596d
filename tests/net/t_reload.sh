# SIGHUP: wispd.conf is read again; its "peer" lines are the friends it
# names; links that stay are not dropped; a broken file changes nothing.
. tests/net/lib.sh

start_node a --log-level info || exit 1
start_node b || exit 1
start_node c || exit 1
ref_a=$(w a noderef); ref_b=$(w b noderef); ref_c=$(w c noderef)
w a peer add "$ref_b" >/dev/null
w b peer add "$ref_a" >/dev/null
check "a and b link" wait_for 5 connected a 1
since() { w a peer list 2>/dev/null | grep -o 'connected since [^,)]*' | sort | head -n 1; }
s0=$(since)

# c is named in a's file; c knows a through the API.
w c peer add "$ref_a" >/dev/null
cp "$T/a/wispd.conf" "$T/a.conf.orig"
{ cat "$T/a.conf.orig"; echo "peer = $ref_c"; echo "htl-max = 12"; echo "log-level = info"; } >"$T/a/wispd.conf"
kill -HUP "$(cat "$T/a.pid")"
check "a HUP adds the friend the file names" wait_for 5 connected a 2
check "the node says what it reloaded" wait_for 2 grep -q "configuration reloaded (htl-max 12" "$T/a.log"
check "a is still running" kill -0 "$(cat "$T/a.pid")"
check "the link to b was not dropped" [ "$(w a peer list | grep -c 'connected since')" -ge 1 ]
w a peer list >"$T/list"
check "b's link is the same one (same 'since')" grep -qF "$s0" "$T/list"

# A broken file: logged, nothing changes.
{ cat "$T/a.conf.orig"; echo "peer = $ref_c"; echo "htl-max = banana"; } >"$T/a/wispd.conf"
kill -HUP "$(cat "$T/a.pid")"
check "a broken file is refused with its line" wait_for 2 grep -q "wispd.conf:.*bad value 'banana'" "$T/a.log"
check "and changes nothing: both friends stay linked" connected a 2

# The line goes: so does that friend; b stays.
cp "$T/a.conf.orig" "$T/a/wispd.conf"
kill -HUP "$(cat "$T/a.pid")"
check "a friend whose line is gone is removed" wait_for 5 connected a 1
w a peer list >"$T/list"
id_c=$(w c status --json | sed -n 's/.*"identity": "\([^"]*\)".*/\1/p')
check "it is no longer listed" sh -c "[ -n '$id_c' ] && ! grep -q '$id_c' '$T/list'"
check "b still linked, the same link" grep -qF "$s0" "$T/list"

# The file's friends survive a restart as the file's.
{ cat "$T/a.conf.orig"; echo "peer = $ref_c"; } >"$T/a/wispd.conf"
kill -HUP "$(cat "$T/a.pid")"
wait_for 5 connected a 2
stop_node a
cp "$T/a.conf.orig" "$T/a/wispd.conf"
start_node a || exit 1
check "after a restart without the line, that friend is gone" wait_for 5 connected a 1
finish
