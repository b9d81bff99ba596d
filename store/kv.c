/* The store's small tables: peers, routing table, invites. */
#include <string.h>

#include <lmdb.h>

#include "store/store.h"
#include "store/store_int.h"

int
store_kv_put(struct store *s, enum store_table t, const void *key, size_t klen, const void *val,
    size_t vlen)
{
	MDB_val k = { klen, UNCONST(key) }, d = { vlen, UNCONST(val) };
	MDB_txn *txn;
	int rc;

	if ((unsigned)t >= STORE_NTABLES || klen == 0 || klen > 256)
		return WISP_ERR_INVAL;
	if ((rc = store_wtxn_begin(s, &txn)))
		return store_fail(s, rc, "writing state");
	rc = store_wtxn_end(s, txn, mdb_put(txn, s->tables[t], &k, &d, 0));
	return rc ? store_fail(s, rc, "writing state") : 0;
}

int
store_kv_get(struct store *s, enum store_table t, const void *key, size_t klen, void *out, size_t cap,
    size_t *len)
{
	MDB_val k = { klen, UNCONST(key) }, d;
	MDB_txn *txn;
	int rc;

	if ((unsigned)t >= STORE_NTABLES || klen == 0 || klen > 256)
		return WISP_ERR_INVAL;
	if ((rc = store_rtxn_begin(s, &txn)))
		return store_fail(s, rc, "reading state");
	rc = mdb_get(txn, s->tables[t], &k, &d);
	if (rc == 0 && d.mv_size <= cap) {
		memcpy(out, d.mv_data, d.mv_size);
		*len = d.mv_size;
	}
	store_rtxn_end(s, txn);
	if (rc == MDB_NOTFOUND)
		return WISP_ERR_NOTFOUND;
	if (rc)
		return store_fail(s, rc, "reading state");
	return d.mv_size <= cap ? 0 : WISP_ERR_TOOBIG;
}

int
store_kv_del(struct store *s, enum store_table t, const void *key, size_t klen)
{
	MDB_val k = { klen, UNCONST(key) };
	MDB_txn *txn;
	int rc;

	if ((unsigned)t >= STORE_NTABLES || klen == 0 || klen > 256)
		return WISP_ERR_INVAL;
	if ((rc = store_wtxn_begin(s, &txn)))
		return store_fail(s, rc, "writing state");
	rc = mdb_del(txn, s->tables[t], &k, NULL);
	if (rc == MDB_NOTFOUND) {
		(void)store_wtxn_end(s, txn, rc);
		return WISP_ERR_NOTFOUND;
	}
	rc = store_wtxn_end(s, txn, rc);
	return rc ? store_fail(s, rc, "writing state") : 0;
}

int
store_kv_clear(struct store *s, enum store_table t)
{
	MDB_txn *txn;
	int rc;

	if ((unsigned)t >= STORE_NTABLES)
		return WISP_ERR_INVAL;
	if ((rc = store_wtxn_begin(s, &txn)))
		return store_fail(s, rc, "writing state");
	rc = store_wtxn_end(s, txn, mdb_drop(txn, s->tables[t], 0));
	return rc ? store_fail(s, rc, "writing state") : 0;
}

int
store_kv_each(struct store *s, enum store_table t, store_kv_fn fn, void *ctx)
{
	MDB_val k, d;
	MDB_cursor *cur;
	MDB_txn *txn;
	int rc, stop = 0;

	if ((unsigned)t >= STORE_NTABLES)
		return WISP_ERR_INVAL;
	if ((rc = store_rtxn_begin(s, &txn)))
		return store_fail(s, rc, "reading state");
	if ((rc = mdb_cursor_open(txn, s->tables[t], &cur))) {
		store_rtxn_end(s, txn);
		return store_fail(s, rc, "reading state");
	}
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT))
		if ((stop = fn(ctx, k.mv_data, k.mv_size, d.mv_data, d.mv_size)) != 0)
			break;
	mdb_cursor_close(cur);
	store_rtxn_end(s, txn);
	if (stop)
		return stop; /* the callback's own answer */
	return rc == MDB_NOTFOUND ? 0 : store_fail(s, rc, "reading state");
}

