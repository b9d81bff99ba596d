#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/split.h"
#include "crypto/tree.h"
#include "node/core/fetch.h"
#include "node/core/splitfetch.h"

/* SLOT_OPENING: come, being opened elsewhere (fetch_block_opening) */
enum slot_state { SLOT_FREE, SLOT_WAIT, SLOT_OPENING, SLOT_READY };

struct slot {
	enum slot_state state;
	int is_index;
	struct tree_want want;
	size_t len;
	uint8_t buf[CHK_PAYLOAD_LEN];
};

struct fetch {
	struct chk_keys root;
	const struct fetch_source *src;
	void *src_ctx;
	const struct fetch_sink *sink;
	void *sink_ctx;
	struct tree_reader *reader;
	struct splitfetch *split; /* an erasure-coded document: it reads it */
	uint64_t first, last;   /* byte range wanted, inclusive */
	struct slot slot[FETCH_WINDOW + 1]; /* the extra one holds the root */
	uint32_t head, tail;    /* data slots in file order: [head, tail) mod window */
	int index_wait;         /* an index block is being fetched (slot 0 of window) */
	int raw, reader_done, paused, ended, pumping, again;
	uint32_t gen;           /* tags carry it, so stale answers are ignored */
	unsigned pending;
	unsigned window;        /* slots in use at most (fetch_set_window) */
	uint64_t blocks;
};

#define ROOT_SLOT FETCH_WINDOW

int
fetch_new(struct fetch **out, const struct chk_keys *root, int raw, uint64_t first, uint64_t last,
    const struct fetch_source *src, void *src_ctx, const struct fetch_sink *sink, void *sink_ctx)
{
	struct fetch *f;

	if (first > last)
		return WISP_ERR_INVAL;
	if (!(f = calloc(1, sizeof(*f))))
		return WISP_ERR_NOMEM;
	f->root = *root;
	f->window = FETCH_WINDOW;
	f->raw = raw;
	f->first = first;
	f->last = last;
	f->src = src;
	f->src_ctx = src_ctx;
	f->sink = sink;
	f->sink_ctx = sink_ctx;
	*out = f;
	return 0;
}

void
fetch_free(struct fetch *f)
{
	size_t i;

	if (!f)
		return;
	tree_reader_free(f->reader);
	splitfetch_free(f->split);
	for (i = 0; i <= FETCH_WINDOW; i++)
		sodium_memzero(f->slot[i].buf, sizeof(f->slot[i].buf));
	free(f);
}

void
fetch_set_window(struct fetch *f, unsigned w)
{
	f->window = w < 1 ? 1 : w > FETCH_WINDOW ? FETCH_WINDOW : w;
	if (f->split)
		splitfetch_set_window(f->split, f->window);
}

unsigned fetch_pending(const struct fetch *f) { return f->pending + (f->split ? splitfetch_pending(f->split) : 0); }
uint64_t fetch_blocks_done(const struct fetch *f) { return f->blocks + (f->split ? splitfetch_blocks(f->split) : 0); }
uint64_t fetch_blocks_healed(const struct fetch *f) { return f->split ? splitfetch_healed(f->split) : 0; }

static void
finish(struct fetch *f, enum fetch_status st, const char *reason)
{
	if (f->ended)
		return;
	f->ended = 1;
	f->sink->end(f->sink_ctx, st, reason);
}

static uint32_t tag_of(const struct fetch *f, uint32_t slot) { return f->gen << 8 | slot; }

static void
ask(struct fetch *f, uint32_t slot, const uint8_t *rkey)
{
	f->slot[slot].state = SLOT_WAIT;
	f->pending++;
	f->src->get(f->src_ctx, f, tag_of(f, slot), rkey);
}

void
fetch_start(struct fetch *f)
{
	f->slot[ROOT_SLOT].want.keys = f->root;
	ask(f, ROOT_SLOT, f->root.routing);
}

static void pump(struct fetch *f);

static void
split_ask(void *ctx, uint32_t tag, const uint8_t rkey[CHK_KEY_LEN])
{
	struct fetch *f = ctx;

	f->src->get(f->src_ctx, f, tag, rkey);
}

static int
split_data(void *ctx, const uint8_t *p, size_t len)
{
	struct fetch *f = ctx;

	return f->sink->data(f->sink_ctx, p, len);
}

static void
split_heal(void *ctx, const uint8_t *block, const uint8_t rkey[CHK_KEY_LEN])
{
	struct fetch *f = ctx;

	f->src->heal(f->src_ctx, block, rkey);
}

static void
split_end(void *ctx, enum fetch_status st, const char *reason)
{
	finish(ctx, st, reason);
}

static const struct splitfetch_io split_io = { split_ask, split_data, split_heal, split_end };
static const struct splitfetch_io split_io_noheal = { split_ask, split_data, NULL, split_end };

/* open_split hands an erasure-coded document to splitfetch. */
static void
open_split(struct fetch *f, const struct split_doc *doc)
{
	uint64_t len = doc->len[0];

	f->sink->start(f->sink_ctx, len, doc->mime);
	if (f->last == UINT64_MAX || f->last >= len)
		f->last = len - 1;
	if (splitfetch_new(&f->split, doc, f->first, f->last, f->src->heal ? &split_io : &split_io_noheal,
	    f) != 0) {
		finish(f, FETCH_FAILED, "out of memory");
		return;
	}
	splitfetch_set_window(f->split, f->window);
	splitfetch_resume(f->split);
}

static int
open_root(struct fetch *f, struct slot *s)
{
	uint64_t len;
	int rc = tree_reader_new(&f->reader, s->buf, s->len);

	if (rc == WISP_ERR_NOMEM) {
		finish(f, FETCH_FAILED, "out of memory");
		return -1;
	}
	if (rc != 0) {
		finish(f, FETCH_INTEGRITY, rc == WISP_ERR_VERSION ? "document of a newer format"
		    : "document root is malformed");
		return -1;
	}
	len = tree_reader_length(f->reader);
	f->sink->start(f->sink_ctx, len, tree_reader_mime(f->reader));
	if (f->last == UINT64_MAX || f->last >= len)
		f->last = len ? len - 1 : 0;
	if (len == 0 || f->first >= len || f->first > f->last) {
		f->reader_done = 1;
		return 0;
	}
	if (tree_reader_seek(f->reader, f->first - f->first % CHK_DATA_MAX) != 0) {
		finish(f, FETCH_FAILED, "bad range");
		return -1;
	}
	return 0;
}

/* in_state: whether the slot an answer to |tag| fills (tag & 0xff) is
 * |st|, and the tag is of this fetch. */
static int
in_state(const struct fetch *f, uint32_t tag, enum slot_state st)
{
	uint32_t i = tag & 0xff;

	return (tag >> 8) == (f->gen & 0xffffff) && i <= ROOT_SLOT && f->slot[i].state == st;
}

int
fetch_block_opening(struct fetch *f, uint32_t tag, uint8_t ckey[CHK_KEY_LEN])
{
	if (tag & SPLITFETCH_TAG)
		return f->split ? splitfetch_block_opening(f->split, tag, ckey) : -1;
	if (f->ended || !in_state(f, tag, SLOT_WAIT))
		return -1;
	f->slot[tag & 0xff].state = SLOT_OPENING;
	memcpy(ckey, f->slot[tag & 0xff].want.keys.crypto, CHK_KEY_LEN);
	return 0;
}

/* claim marks the slot of an answer to |tag|, in state |st|, answered:
 * NULL if it was not in that state or the fetch has ended. */
static struct slot *
claim(struct fetch *f, uint32_t tag, enum slot_state st)
{
	struct slot *s = &f->slot[tag & 0xff];

	if (!in_state(f, tag, st))
		return NULL;
	f->pending--;
	s->state = SLOT_READY;
	return f->ended ? NULL : s;
}

static void opened(struct fetch *f, struct slot *s, int rc);

void
fetch_block_done(struct fetch *f, uint32_t tag, enum fetch_status st, const uint8_t *block,
    size_t len)
{
	struct slot *s;

	if (tag & SPLITFETCH_TAG) {
		if (f->split)
			splitfetch_block_done(f->split, tag, st, block, len);
		return;
	}
	if (!(s = claim(f, tag, SLOT_WAIT)))
		return;
	if (st != FETCH_OK) {
		finish(f, st, st == FETCH_NOTFOUND ? "a block of the document was not found"
		    : st == FETCH_INTEGRITY ? "a block does not verify" : "block fetch failed");
		return;
	}
	opened(f, s, chk_decode(s->buf, &s->len, block, len, s->want.keys.crypto));
}

void
fetch_block_open(struct fetch *f, uint32_t tag, int rc, const uint8_t *plain, size_t len)
{
	struct slot *s;

	if (tag & SPLITFETCH_TAG) {
		if (f->split)
			splitfetch_block_open(f->split, tag, rc, plain, len);
		return;
	}
	if (!(s = claim(f, tag, SLOT_OPENING)))
		return;
	if (rc == 0 && len > sizeof(s->buf))
		rc = WISP_ERR_MALFORMED;
	if (rc == 0) {
		memcpy(s->buf, plain, len);
		s->len = len;
	}
	opened(f, s, rc);
}

/* opened goes on with an answer whose opening gave |rc|. */
static void
opened(struct fetch *f, struct slot *s, int rc)
{
	uint32_t i = (uint32_t)(s - f->slot);
	struct split_doc doc;

	if (rc != 0) {
		finish(f, FETCH_INTEGRITY, "a block does not decrypt with its key");
		return;
	}
	f->blocks++;
	if (i == ROOT_SLOT && f->raw) {
		uint64_t last = f->last < s->len ? f->last : s->len - 1;
		s->state = SLOT_FREE;
		f->sink->start(f->sink_ctx, s->len, "application/octet-stream");
		last = f->last < s->len ? f->last : s->len - 1;
		if (s->len && f->first <= last)
			(void)f->sink->data(f->sink_ctx, s->buf + f->first, (size_t)(last - f->first + 1));
		finish(f, FETCH_OK, "ok");
		return;
	}
	if (i == ROOT_SLOT && split_root_parse(&doc, s->buf, s->len) == 0) {
		s->state = SLOT_FREE;
		open_split(f, &doc);
		return;
	}
	if (i == ROOT_SLOT) {
		s->state = SLOT_FREE;
		if (open_root(f, s) != 0)
			return;
	} else if (s->is_index) {
		s->state = SLOT_FREE;
		f->index_wait = 0;
		if (tree_reader_feed_index(f->reader, s->buf, s->len) != 0) {
			finish(f, FETCH_INTEGRITY, "an index block does not fit the document");
			return;
		}
	} else if (s->len != s->want.len) {
		finish(f, FETCH_INTEGRITY, "a data block has the wrong length");
		return;
	}
	pump(f);
}

/* deliver hands ready data slots at the head to the sink, in order. */
static int
deliver(struct fetch *f)
{
	while (f->head != f->tail && !f->paused) {
		struct slot *s = &f->slot[f->head % FETCH_WINDOW];
		uint64_t off = s->want.offset, from = 0, to = s->len;

		if (s->state != SLOT_READY)
			return 0;
		if (off < f->first)
			from = f->first - off;
		if (off + to > f->last + 1)
			to = f->last + 1 - off;
		s->state = SLOT_FREE;
		f->head++;
		if (from < to && f->sink->data(f->sink_ctx, s->buf + from, to - from))
			f->paused = 1;
		if (f->ended)
			return -1;
	}
	return 0;
}

/* refill asks for the next blocks while window slots are free. */
static void
refill(struct fetch *f)
{
	struct tree_want w;
	int step;

	while (!f->reader_done && !f->index_wait && f->tail - f->head < f->window) {
		uint32_t i = f->tail % FETCH_WINDOW;
		struct slot *s = &f->slot[i];
		if (s->state != SLOT_FREE)
			return;
		step = tree_reader_next(f->reader, &w);
		if (step == TREE_DONE || (step == TREE_NEED_DATA && w.offset > f->last)) {
			f->reader_done = 1;
			return;
		}
		if (step == TREE_INLINE) {
			s->want = w;
			s->len = w.len;
			memcpy(s->buf, w.data, w.len);
			s->state = SLOT_READY;
			s->is_index = 0;
			f->tail++;
			continue;
		}
		if (step < 0) {
			finish(f, FETCH_FAILED, "tree walk failed");
			return;
		}
		s->want = w;
		s->is_index = step == TREE_NEED_INDEX;
		if (s->is_index)
			f->index_wait = 1; /* the slot is borrowed; tail stays */
		else
			f->tail++;
		ask(f, i, w.keys.routing);
		if (f->ended)
			return;
	}
}

/* pump runs deliver/refill to a fixed point; re-entrant calls from a
 * synchronous source or sink just ask for another round. */
static void
pump(struct fetch *f)
{
	if (f->pumping) {
		f->again = 1;
		return;
	}
	f->pumping = 1;
	do {
		f->again = 0;
		if (f->ended || !f->reader)
			break;
		if (deliver(f) != 0)
			break;
		refill(f);
		if (f->ended || deliver(f) != 0) /* inline data is ready at once */
			break;
		if (f->reader_done && f->head == f->tail && !f->index_wait) {
			finish(f, FETCH_OK, "ok");
			break;
		}
	} while (f->again);
	f->pumping = 0;
}

void
fetch_range(struct fetch *f, uint64_t first, uint64_t last)
{
	f->first = first;
	f->last = last;
}

void
fetch_resume(struct fetch *f)
{
	if (f->split) {
		splitfetch_resume(f->split);
		return;
	}
	f->paused = 0;
	pump(f);
}
