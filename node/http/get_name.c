/* SSK and USK names, resolved to a CHK root before a fetch: an SSK is one
 * signed block; a USK's newest edition is searched for. */
#include <stdint.h>
#include <string.h>

#include "crypto/ssk.h"
#include "node/base/node.h"
#include "node/http/get_job.h"
#include "node/route/driver.h"

static void usk_step(struct get_job *j);

static int
ssk_name(const struct get_job *j, int64_t edition, char *name, size_t len, uint8_t rkey[32])
{
	if (uri_ssk_docname(name, len, &j->u, edition) != 0)
		return -1;
	ssk_request_key(rkey, j->u.key, j->u.ckey, name, strlen(name));
	return 0;
}


/* got_ssk: the signed block of one name (an SSK, or one USK edition). */
static void
got_ssk(void *cookie, enum router_status st, const uint8_t *block, size_t len, unsigned hops)
{
	struct get_job *j = cookie;
	uint8_t plain[SSK_PAYLOAD_LEN], rk[32];
	char name[URI_NAME_MAX + 24];
	struct chk_keys root;
	size_t n;
	int ok = 0;

	j->pending_ssk = 0;
	if (j->gone) {
		job_finish_later(j);
		return;
	}
	if (st != ROUTER_FOUND && !j->gone && j->owner && j->owner->missing && ssk_name(j, j->probe, name, sizeof(name), rk) == 0) {
		/* keepalive: a signed block the network lacks, sent out again
		 * from this store if it is here */
		static uint8_t b[SSK_BLOCK_LEN];
		size_t blen;
		if (j->owner->missing(j->owner->ctx, rk, b, sizeof(b), &blen) == 0) {
			st = ROUTER_FOUND;
			block = b;
			len = blen;
		}
	}
	if (st == ROUTER_FOUND && ssk_name(j, j->probe, name, sizeof(name), rk) == 0 &&
	    ssk_decode(plain, &n, block, len, j->u.ckey, name, strlen(name)) == 0 &&
	    ssk_pointer_decode(plain, n, root.routing, root.crypto) == 0)
		ok = 1;
	else if (st == ROUTER_FOUND) {
		job_fail(j, 502, "integrity", "the signed block does not decode with this key and name");
		return;
	}
	if (ok && j->hops < hops)
		j->hops = hops;
	if (j->u.type == URI_USK && j->u.latest) {
		if (ok) {
			j->lo = j->probe;
			j->lo_root = root;
			j->step *= 2;
		} else if (j->lo < 0 && j->misses < 2) {
			j->misses++;
		} else {
			j->hi = j->probe;
		}
		usk_step(j);
		return;
	}
	if (!ok) {
		job_fail(j, 404, "not_found", st == ROUTER_OVERLOADED ? "the node is overloaded" : "no document under this name");
		return;
	}
	j->edition = j->u.type == URI_USK ? j->probe : -1;
	job_start_chk(j, &root);
}


static void
probe(struct get_job *j, int64_t edition)
{
	char name[URI_NAME_MAX + 24];
	uint8_t rk[32];

	j->probe = edition;
	if (ssk_name(j, edition, name, sizeof(name), rk) != 0) {
		job_fail(j, 400, "bad_uri", "name too long");
		return;
	}
	j->pending_ssk = 1;
	if (node_get_block(j->n, rk, !j->gone && j->owner && j->owner->probe, got_ssk, j) != 0) {
		j->pending_ssk = 0;
		job_fail(j, 503, "overload", "the node is overloaded; try again");
	}
}


/* usk_step: the newest edition, searched forward from the hint: probe
 * hint, hint+1, … doubling the step while editions are found, then halve
 * the gap between the newest found and the first missing. About
 * 2·log2(editions since the hint) requests. */
static void
usk_step(struct get_job *j)
{
	if (j->hi == INT64_MAX) {
		if (j->lo < 0)
			probe(j, j->u.edition + j->misses);
		else
			probe(j, j->lo + j->step);
		return;
	}
	if (j->lo < 0) {
		job_fail(j, 404, "not_found", "no edition of this site was found");
		return;
	}
	if (j->hi - j->lo > 1) {
		probe(j, j->lo + (j->hi - j->lo) / 2);
		return;
	}
	j->edition = j->lo;
	if (j->gateway && getgw_redirect_edition(j, j->lo) == 0)
		return;
	job_start_chk(j, &j->lo_root);
}


void
getname_start(struct get_job *j)
{
	if (j->u.type == URI_USK && j->u.latest) {
		j->lo = -1;
		j->hi = INT64_MAX;
		j->step = 1;
		usk_step(j);
	} else {
		probe(j, j->u.type == URI_USK ? j->u.edition : 0);
	}
}
