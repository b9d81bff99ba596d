/* Address records (ark.h). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/bytes.h"
#include "node/core/ark.h"
#include "node/core/natmsg.h"

void
ark_derive(struct ark_keys *k, const uint8_t id_secret[32])
{
	static const char sign_ctx[] = "wisp ark signing v1", crypt_ctx[] = "wisp ark crypto v1";
	uint8_t seed[32], pk[crypto_sign_PUBLICKEYBYTES];

	crypto_generichash(seed, sizeof(seed), (const uint8_t *)sign_ctx, sizeof(sign_ctx) - 1, id_secret, 32);
	crypto_sign_seed_keypair(pk, k->secret, seed); /* secret: seed then public key, as SSK keeps it */
	crypto_generichash(k->ckey, SSK_KEY_LEN, (const uint8_t *)crypt_ctx, sizeof(crypt_ctx) - 1, id_secret, 32);
	ssk_pubkey_hash(k->pkh, pk);
	sodium_memzero(seed, sizeof(seed));
}

size_t
ark_name(char out[ARK_NAME_MAX], uint64_t edition)
{
	int n = snprintf(out, ARK_NAME_MAX, "wisp-ark/%llu", (unsigned long long)edition);

	return n < 0 ? 0 : (size_t)n;
}

int
ark_encode(const struct noderef *ref, uint64_t edition, uint8_t out[ARK_REC_MAX], size_t *len)
{
	struct nat_msg m = { .kind = NAT_ADDRS };
	uint8_t addrs[NAT_MSG_MAX];
	size_t al;
	unsigned i;
	struct wr w;

	for (i = 0; i < ref->naddr && i < NODEREF_ADDRS_MAX; i++)
		m.addr[m.naddr++] = ref->addr[i];
	if (edition == 0 || natmsg_encode(&m, addrs, sizeof(addrs), &al) != 0)
		return WISP_ERR_MALFORMED;
	wr_init(&w, out, ARK_REC_MAX);
	wr_bytes(&w, "WARK", 4);
	wr_u8(&w, 1);
	wr_bytes(&w, ref->pub, 32);
	wr_u64be(&w, edition);
	wr_bytes(&w, addrs + 1, al - 1); /* the count and the addresses */
	if (w.err)
		return w.err;
	*len = ARK_REC_MAX - w.left;
	return 0;
}

int
ark_decode(struct noderef *ref, uint64_t *edition, const uint8_t *p, size_t len)
{
	uint8_t addrs[NAT_MSG_MAX] = { NAT_ADDRS };
	struct nat_msg m;
	unsigned i;

	memset(ref, 0, sizeof(*ref));
	if (len < 4 + 1 + 32 + 8 + 1 || len - (4 + 1 + 32 + 8) + 1 > sizeof(addrs) ||
	    memcmp(p, "WARK", 4) != 0 || p[4] != 1)
		return WISP_ERR_MALFORMED;
	memcpy(ref->pub, p + 5, 32);
	*edition = load_u64be(p + 37);
	memcpy(addrs + 1, p + 45, len - 45);
	if (*edition == 0 || natmsg_decode(&m, addrs, len - 45 + 1) != 0)
		return WISP_ERR_MALFORMED;
	for (i = 0; i < m.naddr; i++)
		ref->addr[ref->naddr++] = m.addr[i];
	return 0;
}
