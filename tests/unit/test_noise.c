#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/noise.h"
#include "tests/unit/suites.h"

#define VECTORS "tests/unit/vectors/noise-25519-chachapoly-blake2b.json"

/* A scanner just good enough for the vector file's flat layout. */
static char *vec_text;

static char *
load(void)
{
	FILE *f = fopen(VECTORS, "rb");
	long n;
	char *t;

	ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", VECTORS);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	t = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(t, 1, (size_t)n, f), (size_t)n);
	t[n] = '\0';
	fclose(f);
	return t;
}

/* field finds "key": "hex" between |from| and |to| and decodes it. */
static size_t
field(const char *from, const char *to, const char *key, uint8_t *out, size_t cap, const char **next)
{
	char pat[64];
	const char *p, *e;
	size_t len;

	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	p = strstr(from, pat);
	if (!p || p >= to)
		return (size_t)-1;
	p += strlen(pat);
	e = strchr(p, '"');
	ck_assert_int_eq(sodium_hex2bin(out, cap, p, (size_t)(e - p), NULL, &len, NULL), 0);
	if (next)
		*next = e;
	return len;
}

static void
run_vector(const char *v, const char *end)
{
	static uint8_t buf[4096], pt[4096], want[4096], out[4096];
	uint8_t ip[64], rp[64], is[32], rs_priv[32], ie[32], re[32], irs[32], hh[64];
	struct noise_hs hi, hr;
	struct noise_cipher is_send, is_recv, rs_send, rs_recv;
	uint8_t hash_i[64], hash_r[64];
	size_t ipl, rpl, pl, wl, n, got;
	const char *m;
	int i;

	ipl = field(v, end, "init_prologue", ip, sizeof(ip), NULL);
	rpl = field(v, end, "resp_prologue", rp, sizeof(rp), NULL);
	ck_assert_uint_eq(field(v, end, "init_static", is, 32, NULL), 32);
	ck_assert_uint_eq(field(v, end, "resp_static", rs_priv, 32, NULL), 32);
	ck_assert_uint_eq(field(v, end, "init_ephemeral", ie, 32, NULL), 32);
	ck_assert_uint_eq(field(v, end, "resp_ephemeral", re, 32, NULL), 32);
	ck_assert_uint_eq(field(v, end, "init_remote_static", irs, 32, NULL), 32);
	noise_ik_init(&hi, 1, ip, ipl, is, irs);
	noise_ik_init(&hr, 0, rp, rpl, rs_priv, NULL);
	m = strstr(v, "\"messages\"");
	for (i = 0; m && m < end; i++) {
		pl = field(m, end, "payload", pt, sizeof(pt), &m);
		if (pl == (size_t)-1)
			break;
		wl = field(m, end, "ciphertext", want, sizeof(want), &m);
		if (i == 0) {
			ck_assert_int_eq(noise_ik_write_msg1(&hi, ie, pt, pl, buf, sizeof(buf), &n), 0);
			ck_assert_int_eq(noise_ik_read_msg1(&hr, buf, n, out, sizeof(out), &got), 0);
			ck_assert_mem_eq(hr.rs, hi.s_pub, 32); /* the responder learnt who */
		} else if (i == 1) {
			ck_assert_int_eq(noise_ik_write_msg2(&hr, re, pt, pl, buf, sizeof(buf), &n), 0);
			ck_assert_int_eq(noise_ik_read_msg2(&hi, buf, n, out, sizeof(out), &got), 0);
			noise_split(&hi, &is_send, &is_recv, hash_i);
			noise_split(&hr, &rs_send, &rs_recv, hash_r);
			ck_assert_mem_eq(hash_i, hash_r, 64);
			if (field(v, end, "handshake_hash", hh, sizeof(hh), NULL) == 64)
				ck_assert_mem_eq(hash_i, hh, 64);
		} else {
			/* Transport messages alternate, initiator first. */
			struct noise_cipher *tx = i % 2 ? &rs_send : &is_send, *rx = i % 2 ? &is_recv : &rs_recv;
			ck_assert_int_eq(noise_encrypt(tx, NULL, 0, pt, pl, buf), 0);
			n = pl + NOISE_MAC_LEN;
			ck_assert_int_eq(noise_decrypt(rx, NULL, 0, buf, n, out), 0);
			got = n - NOISE_MAC_LEN;
		}
		ck_assert_uint_eq(n, wl);
		ck_assert_mem_eq(buf, want, wl);
		ck_assert_uint_eq(got, pl);
		if (pl)
			ck_assert_mem_eq(out, pt, pl);
	}
	ck_assert_int_ge(i, 4);
}

START_TEST(test_noise_ik_vectors)
{
	const char *name = "\"name\": \"Noise_IK_25519_ChaChaPoly_BLAKE2b\"", *p, *next;
	int count = 0;

	vec_text = load();
	for (p = strstr(vec_text, name); p; p = next) {
		next = strstr(p + 1, name);
		const char *end = strstr(p + 1, "\"name\": ");
		run_vector(p, end ? end : p + strlen(p));
		count++;
	}
	ck_assert_int_eq(count, 2);
	free(vec_text);
}
END_TEST

static void
handshake(struct noise_hs *hi, struct noise_hs *hr, uint8_t *m1, size_t *l1, uint8_t is[32], uint8_t rsk[32])
{
	uint8_t rpub[32], e[32], pl[64];
	size_t n;

	randombytes_buf(is, 32);
	randombytes_buf(rsk, 32);
	crypto_scalarmult_base(rpub, rsk);
	noise_ik_init(hi, 1, (const uint8_t *)"wisp", 4, is, rpub);
	noise_ik_init(hr, 0, (const uint8_t *)"wisp", 4, rsk, NULL);
	randombytes_buf(e, 32);
	ck_assert_int_eq(noise_ik_write_msg1(hi, e, (const uint8_t *)"hi", 2, m1, 256, l1), 0);
	(void)pl;
	(void)n;
}

START_TEST(test_noise_tamper_and_replay)
{
	struct noise_hs hi, hr, hr2;
	uint8_t m1[256], m2[256], out[256], is[32], rsk[32], e[32], ct[64], pt[48];
	struct noise_cipher a_tx, a_rx, b_tx, b_rx, saved;
	size_t l1, l2, got, i;

	handshake(&hi, &hr, m1, &l1, is, rsk);
	/* Every flipped bit of message 1 is refused. */
	for (i = 0; i < l1; i++) {
		noise_ik_init(&hr2, 0, (const uint8_t *)"wisp", 4, rsk, NULL);
		m1[i] ^= 4;
		ck_assert_int_ne(noise_ik_read_msg1(&hr2, m1, l1, out, sizeof(out), &got), 0);
		m1[i] ^= 4;
	}
	/* A different prologue is refused. */
	noise_ik_init(&hr2, 0, (const uint8_t *)"wasp", 4, rsk, NULL);
	ck_assert_int_ne(noise_ik_read_msg1(&hr2, m1, l1, out, sizeof(out), &got), 0);
	ck_assert_int_eq(noise_ik_read_msg1(&hr, m1, l1, out, sizeof(out), &got), 0);
	ck_assert_int_eq(noise_ik_read_msg1(&hr, m1, 10, out, sizeof(out), &got), WISP_ERR_MALFORMED);
	randombytes_buf(e, 32);
	ck_assert_int_eq(noise_ik_write_msg2(&hr, e, NULL, 0, m2, sizeof(m2), &l2), 0);
	ck_assert_int_eq(noise_ik_read_msg2(&hi, m2, l2, out, sizeof(out), &got), 0);
	noise_split(&hi, &a_tx, &a_rx, NULL);
	noise_split(&hr, &b_tx, &b_rx, NULL);
	memset(pt, 7, sizeof(pt));
	ck_assert_int_eq(noise_encrypt(&a_tx, NULL, 0, pt, sizeof(pt), ct), 0);
	saved = b_rx;
	ck_assert_int_eq(noise_decrypt(&b_rx, NULL, 0, ct, sizeof(ct), out), 0);
	/* Replayed: the receiver's nonce moved on. */
	ck_assert_int_eq(noise_decrypt(&b_rx, NULL, 0, ct, sizeof(ct), out), WISP_ERR_VERIFY);
	/* Forged. */
	b_rx = saved;
	ct[3] ^= 1;
	ck_assert_int_eq(noise_decrypt(&b_rx, NULL, 0, ct, sizeof(ct), out), WISP_ERR_VERIFY);
	/* Both sides rekey in step and still talk. */
	noise_rekey(&a_tx);
	noise_rekey(&b_rx);
	b_rx.n = a_tx.n;
	ck_assert_int_eq(noise_encrypt(&a_tx, NULL, 0, pt, sizeof(pt), ct), 0);
	ck_assert_int_eq(noise_decrypt(&b_rx, NULL, 0, ct, sizeof(ct), out), 0);
	ck_assert_mem_eq(out, pt, sizeof(pt));
}
END_TEST

START_TEST(test_noise_wrong_responder)
{
	struct noise_hs hi, hr;
	uint8_t m1[256], out[256], is[32], rsk[32], other[32];
	size_t l1, got;

	handshake(&hi, &hr, m1, &l1, is, rsk);
	/* A node that is not the one the initiator meant cannot read it. */
	randombytes_buf(other, 32);
	noise_ik_init(&hr, 0, (const uint8_t *)"wisp", 4, other, NULL);
	ck_assert_int_eq(noise_ik_read_msg1(&hr, m1, l1, out, sizeof(out), &got), WISP_ERR_VERIFY);
}
END_TEST

Suite *
noise_suite(void)
{
	Suite *s = suite_create("noise");
	TCase *tc = tcase_create("noise");

	tcase_add_test(tc, test_noise_ik_vectors);
	tcase_add_test(tc, test_noise_tamper_and_replay);
	tcase_add_test(tc, test_noise_wrong_responder);
	suite_add_tcase(s, tc);
	return s;
}
