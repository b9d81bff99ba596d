# lib.sh: a network lab in namespaces, for tests of friends behind home
# routers. Sourced by tests/lab/t_*.sh, after tests/net/lib.sh.
#
# The "internet" is a bridge in namespace $L-inet holding 198.51.100.1/24
# and 203.0.113.1/24 (RFC 5737 documentation ranges) and forwarding
# between them; it has no other interface and no default route, so
# nothing the lab sends leaves it. A public host is a namespace with one
# address on that bridge. A home is two namespaces: a router (WAN address
# on the bridge, LAN 10.N.0.1/24) that NATs and drops what nobody inside
# asked for, as home routers do, and a host behind it at 10.N.0.2.
# Everything is named $L-*; lab_cleanup (on exit, also on failure)
# kills every process the lab started, by PID, and deletes every
# namespace, so every veth with it.
L="wl$$"
LAB_NS=""

lab_cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ns in $LAB_NS; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$T"
}
trap lab_cleanup EXIT INT TERM

# lab_can: may this machine build the lab? Prints why not.
lab_can() {
	if [ "$(id -u)" -ne 0 ]; then echo "not root"; return 1; fi
	for c in ip nft conntrack; do
		command -v "$c" >/dev/null 2>&1 || { echo "no $c (tools/deps.sh installs it)"; return 1; }
	done
	if ! ip netns add "$L-probe" 2>/dev/null; then echo "cannot create network namespaces"; return 1; fi
	if ! ip netns exec "$L-probe" nft add table ip probe 2>/dev/null; then
		ip netns del "$L-probe"; echo "no nftables in this kernel"; return 1
	fi
	ip netns del "$L-probe"
}

# lab_skip_unless_able: skip the whole test with one clear line.
lab_skip_unless_able() {
	_why=$(lab_can) && return 0
	echo "$(basename "$0" .sh): skipped: $_why"
	trap - EXIT INT TERM
	rm -rf "$T"
	exit 0
}

nsx() { _ns=$1; shift; ip netns exec "$L-$_ns" "$@"; }

_ns_new() {
	ip netns add "$L-$1"
	LAB_NS="$LAB_NS $L-$1"
	nsx "$1" ip link set lo up
}

# _wire A IFA B IFB: a veth between namespaces A and B.
_wire() {
	ip link add "$2" netns "$L-$1" type veth peer name "$4" netns "$L-$3"
	nsx "$1" ip link set "$2" up
	nsx "$3" ip link set "$4" up
}

lab_init() {
	_ns_new inet
	nsx inet ip link add br0 type bridge
	nsx inet ip link set br0 up
	nsx inet ip addr add 198.51.100.1/24 dev br0
	nsx inet ip addr add 203.0.113.1/24 dev br0
	nsx inet sysctl -qw net.ipv4.ip_forward=1
	# IPv6 (documentation prefix 2001:db8::/32): the bridge is 2001:db8::/64
	nsx inet ip addr add 2001:db8::1/64 dev br0 nodad
	nsx inet sysctl -qw net.ipv6.conf.all.forwarding=1
	LAB_PORTS=0
}

_gw_of() { echo "$1" | sed 's/\.[0-9]*$/.1/'; }

# _uplink NS ADDR: a WAN interface "wan" of namespace NS on the bridge.
_uplink() {
	LAB_PORTS=$((LAB_PORTS + 1))
	_wire "$1" wan inet "p$LAB_PORTS"
	nsx inet ip link set "p$LAB_PORTS" master br0
	nsx "$1" ip addr add "$2/24" dev wan
	nsx "$1" ip route add default via "$(_gw_of "$2")"
}

# lab_public NAME ADDR: a host on the internet itself.
lab_public() {
	_ns_new "$1"
	_uplink "$1" "$2"
}

# lab_home NAME KIND WANADDR N: host NAME (10.N.0.2) behind router rNAME.
# KIND: cone (keeps the port where it can, as Linux and most home routers
# do) or symmetric (a random port for every connection: --random-fully).
lab_home() {
	_ns_new "r$1"
	_ns_new "$1"
	_uplink "r$1" "$3"
	_wire "r$1" lan "$1" eth0
	nsx "r$1" ip addr add "10.$4.0.1/24" dev lan
	nsx "$1" ip addr add "10.$4.0.2/24" dev eth0
	nsx "$1" ip route add default via "10.$4.0.1"
	nsx "r$1" sysctl -qw net.ipv4.ip_forward=1
	_rand=""
	[ "$2" = symmetric ] && _rand="fully-random"
	nsx "r$1" nft -f - <<EOF
table inet home {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		iifname "lan" oifname "wan" accept
		meta l4proto ipv6-icmp accept
	}
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname { "lo", "lan" } accept
		meta l4proto ipv6-icmp accept
	}
}
table ip homenat {
	chain postrouting {
		type nat hook postrouting priority 100; policy accept;
		oifname "wan" masquerade $_rand
	}
}
EOF
}

# lab_home6 NAME N: home NAME (from lab_home) gets IPv6 without NAT, as
# many home lines have: prefix 2001:db8:N::/64 (host ::2, router ::1,
# router's WAN 2001:db8::aN), inbound IPv6 let through; the host also has
# a unique-local address, fd00:N::2, which must never be advertised.
lab_home6() {
	nsx "r$1" ip addr add "2001:db8::a$2/64" dev wan nodad
	nsx "r$1" ip -6 route add default via 2001:db8::1
	nsx "r$1" ip addr add "2001:db8:$2::1/64" dev lan nodad
	nsx "r$1" sysctl -qw net.ipv6.conf.all.forwarding=1
	nsx "r$1" nft add rule inet home forward iifname "wan" oifname "lan" meta nfproto ipv6 accept
	nsx "$1" ip addr add "2001:db8:$2::2/64" dev eth0 nodad
	nsx "$1" ip addr add "fd00:$2::2/64" dev eth0 nodad
	nsx "$1" ip -6 route add default via "2001:db8:$2::1"
	nsx inet ip -6 route add "2001:db8:$2::/64" via "2001:db8::a$2"
}

# lab_readdress NAME NEWADDR: router rNAME gets a new public address, as
# when the ISP changes it: what its old mappings carried is gone.
lab_readdress() {
	_old=$(nsx "r$1" ip -4 -o addr show dev wan | awk '{ print $4 }')
	nsx "r$1" ip addr del "$_old" dev wan
	nsx "r$1" ip addr add "$2/24" dev wan
	nsx "r$1" ip route replace default via "$(_gw_of "$2")"
	nsx "r$1" conntrack -F >/dev/null 2>&1
}

# lab_move NAME NEWADDR: public host NAME gets a new address (a VPS
# moved, a line with a forwarded port renumbered); the old one is gone.
lab_move() {
	_old=$(nsx "$1" ip -4 -o addr show dev wan | awk '{ print $4 }')
	nsx "$1" ip addr del "$_old" dev wan
	nsx "$1" ip addr add "$2/24" dev wan
	nsx "$1" ip route replace default via "$(_gw_of "$2")"
}

# lab_node NAME [ARGS...]: wispd in namespace NAME, datadir $T/NAME,
# listening on every address there (port 0: the kernel picks).
lab_node() {
	_name=$1; shift
	rm -f "$T/$_name/api.addr"
	# not through nsx: $! must be wispd's own PID (ip netns exec execs it)
	ip netns exec "$L-$_name" "$WISPD" -d "$T/$_name" --listen "[::]:0" --api 127.0.0.1:0 --foreground \
		--store-size 64M --log-level info "$@" 2>>"$T/$_name.log" &
	await_node "$_name" $!
}

lw() { _name=$1; shift; nsx "$_name" "$WISP" -d "$T/$_name" "$@"; }

id_of() { lw "$1" status --json | sed -n 's/.*"identity": "\([^"]*\)".*/\1/p'; }

# linked_to A B: node A has a link up with node B.
linked_to() { lw "$1" peer list 2>/dev/null | grep -q "^$(id_of "$2") .*connected since"; }

# why_not A B: what A's peer list says of B.
why_not() { lw "$1" peer list 2>/dev/null | grep "^$(id_of "$2") " | sed 's/.*not connected: //'; }

# befriend A B: each adds the other's noderef.
befriend() {
	lw "$1" peer add "$(lw "$2" noderef)" >/dev/null
	lw "$2" peer add "$(lw "$1" noderef)" >/dev/null
}

now_s() { date +%s; }

# says NAME PATTERN ARGS...: `wisp ARGS` at NAME prints a line matching PATTERN.
says() { _name=$1 _pat=$2; shift 2; lw "$_name" "$@" 2>&1 | grep -q -- "$_pat"; }

# ---- a slow network: shaped links with delay (issue 25) ----
# lab_chain N MBIT DELAY_MS [ARGS...]: nodes c0…cN, each alone in its
# namespace, ci and ci+1 wired by a veth (10.(i+1).0.1 and .2/30) whose
# both ends HTB shapes to MBIT Mbit/s; each node listens on 127.0.0.1
# only, and its neighbours reach it through a delay line (tests/net/delay)
# in its namespace on the veth address, DELAY_MS each way. So every link
# is MBIT with a one-way delay of DELAY_MS, and no node can reach another
# any other way. ARGS go to every wispd. Friends along the chain.
DELAY="$BUILD/tests/net/delay"
lab_shape() { # lab_shape NS DEV MBIT: HTB at MBIT on DEV's egress
	nsx "$1" tc qdisc add dev "$2" root handle 1: htb default 10
	nsx "$1" tc class add dev "$2" parent 1: classid 1:10 htb rate "$3mbit" ceil "$3mbit" burst 32k
}
lab_chain() {
	_cn=$1 _mbit=$2 _dms=$3; shift 3
	_ci=0
	while [ $_ci -le "$_cn" ]; do _ns_new "c$_ci"; _ci=$((_ci + 1)); done
	_ci=0
	while [ $_ci -lt "$_cn" ]; do
		_cj=$((_ci + 1))
		_wire "c$_ci" "r$_cj" "c$_cj" "l$_ci"
		nsx "c$_ci" ip addr add "10.$_cj.0.1/30" dev "r$_cj"
		nsx "c$_cj" ip addr add "10.$_cj.0.2/30" dev "l$_ci"
		lab_shape "c$_ci" "r$_cj" "$_mbit"
		lab_shape "c$_cj" "l$_ci" "$_mbit"
		_ci=$_cj
	done
	_ci=0
	while [ $_ci -le "$_cn" ]; do
		rm -f "$T/c$_ci/api.addr"
		ip netns exec "$L-c$_ci" "$WISPD" -d "$T/c$_ci" --listen 127.0.0.1:0 --api 127.0.0.1:0 --foreground \
			--store-size 1G --log-level warn "$@" 2>>"$T/c$_ci.log" &
		await_node "c$_ci" $! || return 1
		_ci=$((_ci + 1))
	done
}
# lab_chain_link I: ci and ci+1 become friends, each through the delay
# line in the other's namespace.
lab_chain_link() {
	_ci=$1 _cj=$(($1 + 1))
	_line "c$_cj" "10.$_cj.0.2" "c$_ci-to-c$_cj"
	_line "c$_ci" "10.$_cj.0.1" "c$_cj-to-c$_ci"
	lw "c$_ci" -q peer add "$("$REREF" "$(lw "c$_cj" noderef)" "10.$_cj.0.2:$(cat "$T/c$_ci-to-c$_cj.port")")" >/dev/null
	lw "c$_cj" -q peer add "$("$REREF" "$(lw "c$_ci" noderef)" "10.$_cj.0.1:$(cat "$T/c$_cj-to-c$_ci.port")")" >/dev/null
}
_line() { # _line NS ADDR NAME: a delay line in NS on ADDR to NS's wispd
	rm -f "$T/$3.port"
	ip netns exec "$L-$1" "$DELAY" "$2" "$T/$3.port" 127.0.0.1 "$(sed 's/.*://' "$T/$1/node.addr")" "$_dms" &
	PIDS="$PIDS $!"
	_w=0
	while [ ! -s "$T/$3.port" ] && [ $_w -lt 100 ]; do sleep 0.05; _w=$((_w + 1)); done
}
