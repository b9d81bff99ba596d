/* forge: an upload record that claims a victim's SSK name but is signed
 * with another key, for tests that every node refuses it.
 *   forge VICTIM_REQUEST_URI ATTACKER_INSERT_URI OUTFILE */
#include <stdio.h>
#include <string.h>

#include "crypto/bytes.h"
#include "crypto/err.h"
#include "crypto/ssk.h"
#include "crypto/uri.h"

int
main(int argc, char **argv)
{
	uint8_t rec[36 + SSK_BLOCK_LEN], pointer[SSK_POINTER_LEN] = { 0 }, rk[32], victim[32];
	struct uri v, a;
	char name[400];
	const char *why;
	FILE *f;

	if (argc != 4 || wisp_crypto_init() != 0)
		return 2;
	if (uri_parse(&v, argv[1], strlen(argv[1]), &why) || uri_parse(&a, argv[2], strlen(argv[2]), &why) ||
	    !a.has_secret || uri_ssk_docname(name, sizeof(name), &v, v.edition) != 0) {
		fprintf(stderr, "forge: bad URIs\n");
		return 2;
	}
	ssk_request_key(victim, v.key, v.ckey, name, strlen(name));
	/* The attacker signs the victim's name (it knows the crypto key from
	 * the public request URI) with its own key. */
	if (ssk_encode(rec + 36, rk, a.secret, v.ckey, name, strlen(name), pointer, sizeof(pointer)) != 0)
		return 1;
	memcpy(rec, victim, 32);
	store_u32be(rec + 32, SSK_BLOCK_LEN);
	if (!(f = fopen(argv[3], "wb")) || fwrite(rec, 1, sizeof(rec), f) != sizeof(rec) || fclose(f) != 0)
		return 1;
	return 0;
}
