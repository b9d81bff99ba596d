#include <string.h>

#include "crypto/bytes.h"
#include "node/core/wire.h"

int
wire_decode(struct wire_msg *m, const uint8_t *p, size_t len)
{
	struct rd c;
	uint32_t blen;

	memset(m, 0, sizeof(*m));
	rd_init(&c, p, len);
	if (rd_u8(&c, &m->type) || rd_u64be(&c, &m->id) || rd_u8(&c, &m->htl) ||
	    rd_bytes(&c, m->key, WIRE_KEY_LEN))
		return WISP_ERR_TRUNCATED;
	if (m->type < WIRE_REQUEST || m->type > WIRE_TYPE_MAX || m->htl > WIRE_HTL_MAX)
		return WISP_ERR_MALFORMED;
	if (m->type == WIRE_DATA && rd_bytes(&c, m->source, WIRE_KEY_LEN))
		return WISP_ERR_TRUNCATED;
	if (wire_has_ref(m->type)) {
		if (rd_u8(&c, &m->ref_len))
			return WISP_ERR_TRUNCATED;
		if (m->ref_len > WIRE_REF_MAX || (m->type == WIRE_ANNOUNCE_REPLY && m->ref_len == 0))
			return WISP_ERR_MALFORMED;
		if (rd_bytes(&c, m->ref, m->ref_len))
			return WISP_ERR_TRUNCATED;
	}
	if (wire_has_block(m->type)) {
		if (rd_u32be(&c, &blen))
			return WISP_ERR_TRUNCATED;
		if (blen == 0 || blen > WIRE_BLOCK_MAX)
			return WISP_ERR_MALFORMED;
		if (rd_ref(&c, &m->block, blen))
			return WISP_ERR_TRUNCATED;
		m->block_len = blen;
	}
	return rd_end(&c);
}

int
wire_encode(const struct wire_msg *m, uint8_t *out, size_t cap, size_t *len)
{
	struct wr w;

	if (m->type < WIRE_REQUEST || m->type > WIRE_TYPE_MAX || m->htl > WIRE_HTL_MAX)
		return WISP_ERR_INVAL;
	if (wire_has_block(m->type) && (!m->block || !m->block_len || m->block_len > WIRE_BLOCK_MAX))
		return WISP_ERR_INVAL;
	if (wire_has_ref(m->type) && (m->ref_len > WIRE_REF_MAX || (m->type == WIRE_ANNOUNCE_REPLY && !m->ref_len)))
		return WISP_ERR_INVAL;
	wr_init(&w, out, cap);
	wr_u8(&w, m->type);
	wr_u64be(&w, m->id);
	wr_u8(&w, m->htl);
	wr_bytes(&w, m->key, WIRE_KEY_LEN);
	if (m->type == WIRE_DATA)
		wr_bytes(&w, m->source, WIRE_KEY_LEN);
	if (wire_has_ref(m->type)) {
		wr_u8(&w, m->ref_len);
		wr_bytes(&w, m->ref, m->ref_len);
	}
	if (wire_has_block(m->type)) {
		wr_u32be(&w, (uint32_t)m->block_len);
		wr_bytes(&w, m->block, m->block_len);
	}
	if (w.err)
		return w.err;
	*len = cap - w.left;
	return 0;
}

const char *
wire_type_name(uint8_t t)
{
	static const char *names[] = { "?", "Request", "Insert", "DataReply", "InsertReply", "Collision",
		"DataNotFound", "RouteNotFound", "RejectedLoop", "RejectedOverload", "Announce", "AnnounceReply" };

	return t <= WIRE_TYPE_MAX ? names[t] : "?";
}
