#!/bin/sh
# Install the Debian packages wisp builds with, only when pkg-config
# cannot find them. Runs apt-get through sudo when not root.
set -e
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkgconf"
for pair in libsodium:libsodium-dev lmdb:liblmdb-dev libevent:libevent-dev libzip:libzip-dev libisal:libisal-dev gumbo:libgumbo-dev check:check; do
	pc=${pair%%:*}
	pkg=${pair#*:}
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$pc"; then
		missing="$missing $pkg"
	fi
done
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
# the network lab (tests/lab/): namespaces, NAT routers, their conntrack
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
command -v nft >/dev/null 2>&1 || missing="$missing nftables"
command -v conntrack >/dev/null 2>&1 || missing="$missing conntrack"
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
