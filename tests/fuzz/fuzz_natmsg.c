/* The address, meeting and relay records a peer sends (natmsg.h), the
 * address records found in the network (ark.h) and the handshake's
 * observed address: whatever decodes encodes back the same. */
#include <stdlib.h>
#include <string.h>

#include "crypto/err.h"
#include "node/core/ark.h"
#include "node/core/frame.h"
#include "node/core/natmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[NAT_DATA_MSG_MAX];
	uint8_t p2[HS2_PAYLOAD];
	struct noderef_addr seen, seen2;
	struct nat_msg m, m2;
	size_t len;
	unsigned i;

	if (natmsg_decode(&m, data, size) == 0) {
		if (natmsg_encode(&m, again, sizeof(again), &len) != 0 || len != size || memcmp(again, data, size) != 0 ||
		    natmsg_decode(&m2, again, len) != 0 || m2.dlen != m.dlen ||
		    (m.dlen && memcmp(m.data, m2.data, m.dlen) != 0))
			abort();
		m2.data = m.data; /* the same bytes, in the other buffer */
		if (memcmp(&m, &m2, sizeof(m)) != 0)
			abort();
		for (i = 0; i < m.naddr; i++)
			(void)addr_scope(&m.addr[i]);
	}
	{
		uint8_t rec[ARK_REC_MAX];
		struct noderef ref;
		uint64_t ed, ed2;
		struct noderef ref2;
		size_t rl;
		if (ark_decode(&ref, &ed, data, size) == 0 &&
		    (ark_encode(&ref, ed, rec, &rl) != 0 || rl != size || memcmp(rec, data, size) != 0 ||
		    ark_decode(&ref2, &ed2, rec, rl) != 0 || ed2 != ed || memcmp(&ref, &ref2, sizeof(ref)) != 0))
			abort();
	}
	if (hs2_decode(&seen, data, size) == 0) {
		if (hs2_encode(&seen, p2) != 0 || hs2_decode(&seen2, p2, sizeof(p2)) != 0 ||
		    memcmp(&seen, &seen2, sizeof(seen)) != 0)
			abort();
	}
	return 0;
}
