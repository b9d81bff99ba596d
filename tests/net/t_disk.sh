# Disk faults: the disk fills under a running node; the store file is cut
# short while it is down. Clear errors, the node stays up and serves what
# it has, an insert is never reported done unless it is on disk. Needs
# root for the small tmpfs; skipped with a message otherwise. (A disk
# remounted read-only under a running process cannot be staged here: the
# kernel refuses while the store is open for writing. It fails the same
# way as a full disk, at the commit, and takes the same path.)
. tests/net/lib.sh

if [ "$(id -u)" != 0 ] || ! mkdir -p "$T/full" || ! mount -t tmpfs -o size=24m tmpfs "$T/full" 2>/dev/null; then
	echo "  SKIP: mounting a small tmpfs needs root"
	finish
	exit $?
fi
mounts="$T/full"
umount_all() { for m in $mounts; do umount -l "$m" 2>/dev/null; done; }
trap 'umount_all; cleanup' EXIT INT TERM

# A full disk: the store's budget (256 MB) is far above the 24 MB there is.
start_node full --store-size 256M || exit 1
head -c 1000000 /dev/urandom >"$T/first"
first=$(w full put -q "$T/first")
n=0; failed=0
while [ $n -lt 40 ]; do
	head -c 1000000 /dev/urandom >"$T/more"
	if ! w full put -q "$T/more" >/dev/null 2>"$T/err"; then failed=1; break; fi
	n=$((n + 1))
done
echo "  $n more 1 MB inserts fitted; then: $(head -c 200 "$T/err")"
check "a full disk makes an insert fail" [ $failed -eq 1 ]
check "with a clear reason" grep -qiE "space|full|store" "$T/err"
check "the node stays up" kill -0 "$(cat "$T/full.pid")"
check "and says why in its log" grep -qiE "no space|full" "$T/full.log"
w full get -q "$first" -o "$T/back"
check "what it had is still served, byte for byte" cmp -s "$T/first" "$T/back"
check "status still answers" sh -c "'$WISP' -d '$T/full' status >/dev/null"
stop_node full

# A data file cut short while the node was down: it is set aside, not
# read (a read past its end would fault the process), and the node comes
# up with an empty store and keeps working.
start_node tr || exit 1
head -c 300000 /dev/urandom >"$T/kept"
kept=$(w tr put -q "$T/kept")
stop_node tr
size=$(stat -c %s "$T/tr/store/data.mdb")
truncate -s $((size / 2)) "$T/tr/store/data.mdb"
start_node tr || exit 1
check "a node whose store file was truncated still starts" kill -0 "$(cat "$T/tr.pid")"
check "it says so in its log" grep -q "data.mdb is truncated" "$T/tr.log"
check "the damaged store is set aside, not deleted" sh -c "ls -d '$T'/tr/store.damaged-* >/dev/null"
head -c 300000 /dev/urandom >"$T/new"
again=$(w tr put -q "$T/new")
w tr get -q "$again" -o "$T/back"
check "and it stores and serves again" cmp -s "$T/new" "$T/back"

# A download whose disk fills: the transfer fails with the reason, leaves
# no file that looks whole, and the node goes on.
mkdir -p "$T/small" && mount -t tmpfs -o size=1m tmpfs "$T/small" && mounts="$mounts $T/small"
head -c 3000000 /dev/urandom >"$T/three"
three=$(w tr put -q "$T/three")
expect_exit 1 "a download into a disk too small fails" w tr get -q "$three" -o "$T/small/x"
check "saying the disk is full: $(head -c 160 "$T/err")" grep -q "disk is full" "$T/err"
check "and leaves neither the file nor its .part" sh -c "[ ! -e '$T/small/x' ] && [ ! -e '$T/small/x.part' ]"
check "the node still serves" sh -c "'$WISP' -d '$T/tr' get -q '$three' | cmp -s - '$T/three'"
finish
