/* Inbound connections before their handshake (docs/threat-model.md,
 * "Flooding the handshake"): a flood of idle connections must not lock
 * friends out. One address holds a few slots, addresses no peer has used
 * hold most of them but not all, and each slot is freed LINK_HS1_MS after
 * its connection brought no message 1 (link.c). */
#include <string.h>

#include "node/base/node.h"
#include "node/link/link_int.h"
#include "node/link/peers.h"

static int
same_host(const struct noderef_addr *a, const struct noderef_addr *b)
{
	return a->family && a->family == b->family && memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

int
link_known_addr(const struct node *n, const struct noderef_addr *a)
{
	unsigned i, k;

	for (i = 0; i < n->npeers; i++) {
		const struct peer *p = n->peers[i];
		if (same_host(&p->seen_at, a))
			return 1;
		for (k = 0; k < p->ref.naddr; k++)
			if (same_host(&p->ref.addr[k], a))
				return 1;
	}
	return 0;
}

int
link_admit(const struct node *n, const struct noderef_addr *a, int known, const char **why)
{
	const struct link *l;
	unsigned same = 0, strangers = 0;

	for (l = n->links; l; l = l->next) {
		if (l->initiator || l->state == L_UP)
			continue;
		same += same_host(&l->from, a);
		strangers += !l->known_addr;
	}
	if (n->links_pending >= LINKS_PENDING_MAX)
		*why = "too many handshakes in progress";
	else if (same >= LINKS_PENDING_PER_ADDR)
		*why = "too many handshakes in progress from one address";
	else if (!known && strangers >= LINKS_PENDING_STRANGERS)
		*why = "too many handshakes in progress from unknown addresses";
	else
		return 1;
	return 0;
}
