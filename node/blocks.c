/* Blocks in and out of this node: local inserts and the fetch source. */
#include <string.h>

#include "crypto/block.h"
#include "node/fetch.h"
#include "node/log.h"
#include "node/node.h"
#include "node/upload.h"
#include "store/store.h"

static struct log_rate corrupt_rate;

int
node_insert_blocks(struct node *n, const struct upload *u, size_t count)
{
	size_t i;
	int rc, tries;

	/* One transaction (one sync) per batch; MAP_FULL grows and retries. */
	for (tries = 0; tries < 3; tries++) {
		if ((rc = store_begin(n->store)) != 0)
			return rc;
		for (i = 0; i < count && rc == 0; i++)
			rc = store_put(n->store, u[i].rkey, u[i].block, u[i].len, STORE_PART_STORE);
		if (rc != 0) {
			store_abort(n->store);
			return rc;
		}
		if ((rc = store_commit(n->store)) == 0)
			break;
	}
	if (rc == 0)
		n->traffic.blocks_stored += count;
	return rc;
}

/* The local source: the store, each block checked again on the way out
 * because disks rot; a bad one is removed so it is never served. */
static void
store_get_block(void *ctx, struct fetch *f, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN])
{
	static uint8_t buf[BLOCK_MAX_LEN];
	struct node *n = ctx;
	size_t len;
	int rc = store_get(n->store, rkey, buf, sizeof(buf), &len);

	if (rc == WISP_ERR_NOTFOUND) {
		fetch_block_done(f, tag, FETCH_NOTFOUND, NULL, 0);
		return;
	}
	if (rc != 0) {
		log_ratelim(&corrupt_rate, 10, "store read failed: %s", store_errmsg(n->store));
		fetch_block_done(f, tag, FETCH_FAILED, NULL, 0);
		return;
	}
	if (block_verify(buf, len, rkey) != 0) {
		n->traffic.verify_failed++;
		log_ratelim(&corrupt_rate, 10, "a stored block failed verification; removed it");
		if (store_remove(n->store, rkey) != 0)
			log_warnx("could not remove a corrupt block: %s", store_errmsg(n->store));
		fetch_block_done(f, tag, FETCH_INTEGRITY, NULL, 0);
		return;
	}
	n->traffic.blocks_served++;
	fetch_block_done(f, tag, FETCH_OK, buf, len);
}

static const struct fetch_source local_source = { store_get_block };

const struct fetch_source *
node_block_source(void)
{
	return &local_source;
}
