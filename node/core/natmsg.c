/* The NAT records (natmsg.h) and the scope of an address. */
#include <string.h>

#include "crypto/bytes.h"
#include "node/core/natmsg.h"

static void
wr_addr(struct wr *w, const struct noderef_addr *a)
{
	uint8_t z[16] = { 0 };

	memcpy(z, a->addr, a->family == 4 ? 4 : 16);
	wr_u8(w, a->family);
	wr_bytes(w, z, 16);
	wr_u16be(w, a->port);
}

static int
rd_addr(struct rd *r, struct noderef_addr *a)
{
	static const uint8_t z[12];

	memset(a, 0, sizeof(*a));
	if (rd_u8(r, &a->family) || rd_bytes(r, a->addr, 16) || rd_u16be(r, &a->port))
		return WISP_ERR_MALFORMED;
	if ((a->family != 4 && a->family != 6) || a->port == 0)
		return WISP_ERR_MALFORMED;
	if (a->family == 4 && memcmp(a->addr + 4, z, 12) != 0)
		return WISP_ERR_MALFORMED; /* one encoding per address */
	return 0;
}

static int
has_key(uint8_t kind)
{
	return (kind >= NAT_ASK && kind <= NAT_GO) || kind == NAT_OPEN || kind == NAT_CARRY || kind == NAT_ARK;
}

static int
has_circuit(uint8_t kind)
{
	return kind >= NAT_OPEN && kind <= NAT_CLOSE;
}

static unsigned
addrs_of(const struct nat_msg *m)
{
	if (m->kind == NAT_ADDRS)
		return m->naddr;
	return m->kind == NAT_CALL || m->kind == NAT_GO;
}

int
natmsg_encode(const struct nat_msg *m, uint8_t *out, size_t cap, size_t *len)
{
	unsigned i, na = addrs_of(m);
	struct wr w;

	if (m->kind < NAT_ADDRS || m->kind > NAT_ARK || (m->kind == NAT_ARK && m->edition == 0) || (m->kind == NAT_ADDRS && (na == 0 || na > NODEREF_ADDRS_MAX)) ||
	    (m->kind == NAT_DATA && (m->dlen == 0 || m->dlen > NAT_DATA_MAX)) || (m->kind == NAT_ACK && m->count == 0))
		return WISP_ERR_MALFORMED;
	wr_init(&w, out, cap);
	wr_u8(&w, m->kind);
	if (has_key(m->kind))
		wr_bytes(&w, m->key, 32);
	if (has_circuit(m->kind))
		wr_u32be(&w, m->circuit);
	if (m->kind == NAT_ACK)
		wr_u32be(&w, m->count);
	if (m->kind == NAT_ARK) {
		wr_bytes(&w, m->ckey, 32);
		wr_u64be(&w, m->edition);
	}
	if (m->kind == NAT_DATA)
		wr_bytes(&w, m->data, m->dlen);
	if (m->kind == NAT_ADDRS)
		wr_u8(&w, (uint8_t)na);
	for (i = 0; i < na; i++)
		wr_addr(&w, &m->addr[i]);
	if (w.err)
		return w.err;
	*len = cap - w.left;
	return 0;
}

int
natmsg_decode(struct nat_msg *m, const uint8_t *p, size_t len)
{
	uint8_t n8 = 1;
	unsigned i;
	struct rd r;

	memset(m, 0, sizeof(*m));
	rd_init(&r, p, len);
	if (rd_u8(&r, &m->kind) || m->kind < NAT_ADDRS || m->kind > NAT_ARK)
		return WISP_ERR_MALFORMED;
	if (has_key(m->kind) && rd_bytes(&r, m->key, 32))
		return WISP_ERR_MALFORMED;
	if (has_circuit(m->kind) && rd_u32be(&r, &m->circuit))
		return WISP_ERR_MALFORMED;
	if (m->kind == NAT_ACK && (rd_u32be(&r, &m->count) || m->count == 0))
		return WISP_ERR_MALFORMED;
	if (m->kind == NAT_ARK && (rd_bytes(&r, m->ckey, 32) || rd_u64be(&r, &m->edition) || m->edition == 0))
		return WISP_ERR_MALFORMED;
	if (m->kind == NAT_DATA) {
		if (r.left == 0 || r.left > NAT_DATA_MAX)
			return WISP_ERR_MALFORMED;
		m->data = r.p;
		m->dlen = r.left;
		return 0;
	}
	if (m->kind == NAT_ADDRS && (rd_u8(&r, &n8) || n8 == 0 || n8 > NODEREF_ADDRS_MAX))
		return WISP_ERR_MALFORMED;
	m->naddr = m->kind == NAT_ADDRS ? n8 : addrs_of(m);
	for (i = 0; i < m->naddr; i++)
		if (rd_addr(&r, &m->addr[i]) != 0)
			return WISP_ERR_MALFORMED;
	return rd_end(&r);
}

static enum addr_scope
scope4(const uint8_t *a)
{
	uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];

	if (a[0] == 127)
		return SCOPE_LOOPBACK;
	if ((x & 0xffff0000u) == 0xa9fe0000u) /* 169.254/16 */
		return SCOPE_LINK;
	if (a[0] == 10 || (x & 0xfff00000u) == 0xac100000u || (x & 0xffff0000u) == 0xc0a80000u ||
	    (x & 0xffc00000u) == 0x64400000u) /* 10/8, 172.16/12, 192.168/16, 100.64/10 */
		return SCOPE_PRIVATE;
	if (a[0] == 0 || a[0] >= 224) /* this network; multicast, reserved, broadcast */
		return SCOPE_NONE;
	return SCOPE_GLOBAL;
}

static enum addr_scope
scope6(const uint8_t *a)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[15];

	if (memcmp(a, v4mapped, 12) == 0)
		return scope4(a + 12);
	if (memcmp(a, zero, 15) == 0)
		return a[15] == 1 ? SCOPE_LOOPBACK : SCOPE_NONE;
	if (a[0] == 0xff)
		return SCOPE_NONE; /* multicast */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return SCOPE_LINK;
	if ((a[0] & 0xfe) == 0xfc)
		return SCOPE_PRIVATE; /* unique-local fc00::/7 */
	if ((a[0] & 0xe0) != 0x20)
		return SCOPE_NONE; /* outside 2000::/3, the global unicast space */
	return SCOPE_GLOBAL;
}

enum addr_scope
addr_scope(const struct noderef_addr *a)
{
	if (a->port == 0)
		return SCOPE_NONE;
	if (a->family == 4)
		return scope4(a->addr);
	if (a->family == 6)
		return scope6(a->addr);
	return SCOPE_NONE;
}
