/* reref: rewrite a noderef's addresses, so a test can put a relay
 * between two nodes.   reref NODEREF HOST:PORT */
#include <stdio.h>
#include <string.h>

#include "crypto/err.h"
#include "crypto/noderef.h"

int
main(int argc, char **argv)
{
	char out[NODEREF_TEXT_MAX];
	struct noderef r;
	const char *why;

	if (argc != 3 || wisp_crypto_init() != 0)
		return 2;
	if (noderef_parse(&r, argv[1], strlen(argv[1]), &why) != 0) {
		fprintf(stderr, "reref: %s\n", why);
		return 2;
	}
	r.naddr = 1;
	if (noderef_addr_parse(&r.addr[0], argv[2]) != 0 || noderef_format(&r, out, sizeof(out)) != 0)
		return 2;
	printf("%s\n", out);
	return 0;
}
