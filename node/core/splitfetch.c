#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/fec.h"
#include "node/core/splitfetch.h"

/* A block's story: asked, then got, or lost (not found: healable), or
 * bad (did not decode, or the node could not ask: never healed). A data
 * block delivered while nothing needs rebuilding is sent: its memory is
 * freed, and should the segment need rebuilding after all, it is asked
 * for again (from the node's store, which now holds it). */
/* B_OPENING: found, being opened elsewhere (splitfetch_block_opening) */
enum bstate { B_NONE, B_ASKED, B_OPENING, B_GOT, B_LOST, B_BAD, B_SENT };
enum { LOW_JOBS = 2, JOBS = LOW_JOBS + SPLIT_LEVELS_MAX };

/* A job reads one segment of one level. Level 0 has two (the one being
 * delivered and the next); each level above has one, which is also that
 * level's cache once done. */
struct job {
	int active, done, decode; /* decode: some needed block is lost: any d will do */
	unsigned lvl, n, nkeys;
	unsigned need_lo, need_hi; /* data blocks the range needs */
	unsigned got, unavailable, bad, inflight, next;
	uint16_t gen;
	uint64_t seg;
	struct fec_seg fs;
	struct chk_keys keys[FEC_BLOCKS_MAX];
	uint8_t state[FEC_BLOCKS_MAX];
	uint8_t *buf[FEC_BLOCKS_MAX]; /* CHK_DATA_MAX each, zero-padded */
};

/* A block still asked for when its segment was rebuilt: encoded again
 * then, and healed should its answer be a miss (which walks the whole
 * path and so often comes last). */
struct late {
	struct late *next;
	uint32_t tag;
	uint8_t rkey[CHK_KEY_LEN];
	uint8_t block[CHK_BLOCK_LEN];
};

struct splitfetch {
	struct split_doc doc;
	uint8_t *top;
	uint64_t first, last, seg_last, deliver;
	const struct splitfetch_io *io;
	void *ctx;
	uint16_t gen;
	unsigned pending;       /* requests asked and not answered or opened yet */
	unsigned window;        /* requests kept in flight (splitfetch_set_window) */
	uint64_t blocks, healed, answers, misses;
	int ended, paused, pumping, again;
	char why[192];
	struct job job[JOBS];
	struct late *late;
	uint8_t block[CHK_BLOCK_LEN];
	uint8_t plain[CHK_PAYLOAD_LEN];
};

static uint64_t
level_blocks(const struct splitfetch *s, unsigned lvl)
{
	return split_level_blocks(&s->doc, lvl);
}

/* blen: the plaintext length of data block |g| of level |lvl|. */
static size_t
blen(const struct splitfetch *s, unsigned lvl, uint64_t g)
{
	uint64_t n = level_blocks(s, lvl);

	return g + 1 < n ? CHK_DATA_MAX : (size_t)(s->doc.len[lvl] - (n - 1) * CHK_DATA_MAX);
}

static void
job_release(struct job *j)
{
	unsigned i;

	for (i = 0; i < FEC_BLOCKS_MAX; i++) {
		if (j->buf[i])
			sodium_memzero(j->buf[i], CHK_DATA_MAX);
		free(j->buf[i]);
		j->buf[i] = NULL;
	}
	j->active = 0;
}

static void
job_reset(struct splitfetch *s, struct job *j, unsigned lvl, uint64_t seg)
{
	uint64_t fb = s->first / CHK_DATA_MAX, lb = s->last / CHK_DATA_MAX;

	job_release(j);
	memset(j, 0, offsetof(struct job, keys));
	memset(j->state, B_NONE, sizeof(j->state));
	j->active = 1;
	j->lvl = lvl;
	j->seg = seg;
	j->gen = ++s->gen & 0x7fff;
	fec_seg_at(level_blocks(s, lvl), s->doc.k, s->doc.m, lvl > 0, seg, &j->fs);
	j->n = j->fs.d + j->fs.c;
	j->need_hi = j->fs.d;
	if (lvl == 0) {
		if (fb > j->fs.first_data)
			j->need_lo = (unsigned)(fb - j->fs.first_data);
		if (lb + 1 < j->fs.first_data + j->fs.d)
			j->need_hi = (unsigned)(lb + 1 - j->fs.first_data);
	}
	j->next = j->need_lo;
	/* Where blocks have been missing, a whole segment is read as any d
	 * from the start rather than after its first loss. */
	j->decode = s->misses > 0 && j->need_lo == 0 && j->need_hi == j->fs.d;
}

static void
end(struct splitfetch *s, enum fetch_status st, const char *reason)
{
	if (s->ended)
		return;
	s->ended = 1;
	s->io->end(s->ctx, st, reason);
}

static struct job *
upper(struct splitfetch *s, unsigned lvl)
{
	return &s->job[LOW_JOBS + lvl - 1];
}

/* fill_keys copies the job's keys from the level above as far as it is
 * read; 1 once all are known, 0 while it waits for that level. */
static int
fill_keys(struct splitfetch *s, struct job *j)
{
	while (j->nkeys < j->n) {
		uint64_t pos = (j->fs.first_leaf + j->nkeys) * TREE_KEYS_LEN;
		unsigned up = j->lvl + 1, take = j->n - j->nkeys;
		const uint8_t *src = s->top + pos;

		if (up < s->doc.levels) {
			struct job *u = upper(s, up);
			uint64_t b = pos / CHK_DATA_MAX, seg = fec_seg_of(level_blocks(s, up), s->doc.k, b);
			size_t off = pos % CHK_DATA_MAX;
			if (!u->active || u->seg != seg) {
				job_reset(s, u, up, seg);
				s->again = 1;
				return 0;
			}
			if (!u->done)
				return 0;
			if (take > (CHK_DATA_MAX - off) / TREE_KEYS_LEN)
				take = (unsigned)((CHK_DATA_MAX - off) / TREE_KEYS_LEN);
			src = u->buf[b - u->fs.first_data] + off;
		}
		memcpy((uint8_t *)j->keys + (size_t)j->nkeys * TREE_KEYS_LEN, src, (size_t)take * TREE_KEYS_LEN);
		j->nkeys += take;
	}
	return 1;
}

static uint32_t
tag_of(const struct splitfetch *s, const struct job *j, unsigned i)
{
	return SPLITFETCH_TAG | (uint32_t)j->gen << 16 | (uint32_t)(j - s->job) << 8 | i;
}

static void
ask(struct splitfetch *s, struct job *j, unsigned i)
{
	j->state[i] = B_ASKED;
	j->inflight++;
	s->pending++;
	s->io->ask(s->ctx, tag_of(s, j, i), j->keys[i].routing);
}

/* candidate: the next block worth asking for: needed data, other data,
 * then checks; -1 if none is left. */
static int
candidate(const struct job *j)
{
	unsigned i;

	for (i = j->need_lo; i < j->need_hi; i++)
		if (j->state[i] == B_NONE)
			return (int)i;
	for (i = 0; i < j->n; i++)
		if (j->state[i] == B_NONE)
			return (int)i;
	return -1;
}

static void
ask_more(struct splitfetch *s, struct job *j)
{
	unsigned d = j->fs.d, extra;
	int i;

	if (!j->active || j->done || j->nkeys < j->n)
		return;
	if (!j->decode) {
		for (i = (int)j->need_lo; i < (int)j->need_hi && s->pending < s->window && !s->ended; i++)
			if (j->state[i] == B_NONE)
				ask(s, j, (unsigned)i);
		return;
	}
	/* Any d will do: ask for the rest and, judging by how many blocks
	 * were missing so far, a few more, so a loss costs no extra round. */
	while (!s->ended && !j->done && s->pending < s->window && j->got < d) {
		extra = (unsigned)(((uint64_t)(d - j->got) * s->misses + s->answers + 15) / (s->answers + 16));
		if (j->got + j->inflight >= d + extra || (i = candidate(j)) < 0)
			break;
		ask(s, j, (unsigned)i);
	}
}

static int
keys_match(struct splitfetch *s, const uint8_t *plain, size_t len, const struct chk_keys *want)
{
	struct chk_keys k;

	return chk_encode(s->block, &k, plain, len) == 0 && sodium_memcmp(&k, want, sizeof(k)) == 0;
}

/* rebuild fills every data block the job lacks from any d it has, and
 * checks each against its key: a document whose check blocks disagree
 * with its data is forged, and nothing it rebuilt is used. */
static int
rebuild(struct splitfetch *s, struct job *j)
{
	unsigned have_idx[FEC_BLOCKS_MAX], want[FEC_BLOCKS_MAX], nh = 0, nw = 0, i;
	uint8_t *have[FEC_BLOCKS_MAX], *out[FEC_BLOCKS_MAX];

	for (i = 0; i < j->fs.d; i++)
		if (!j->buf[i])
			want[nw++] = i;
	if (nw == 0)
		return 0;
	for (i = 0; i < j->n && nh < j->fs.d; i++)
		if (j->buf[i]) {
			have_idx[nh] = i;
			have[nh++] = j->buf[i];
		}
	for (i = 0; i < nw; i++)
		if (!(out[i] = j->buf[want[i]] = calloc(1, CHK_DATA_MAX)))
			return FETCH_FAILED;
	if (nh < j->fs.d || fec_rebuild(j->fs.d, j->fs.c, have_idx, have, nw, want, out, CHK_DATA_MAX) != 0)
		return FETCH_FAILED;
	for (i = 0; i < nw; i++)
		if (!keys_match(s, out[i], blen(s, j->lvl, j->fs.first_data + want[i]), &j->keys[want[i]]))
			return FETCH_INTEGRITY;
	return 0;
}

/* mend: block |i| of the job, encoded again in s->block under |rkey|:
 * healed if it was lost, kept for its answer if that is still due. */
static void
mend(struct splitfetch *s, struct job *j, unsigned i, const uint8_t rkey[CHK_KEY_LEN])
{
	struct late *l;

	if (j->state[i] == B_LOST) {
		s->healed++;
		s->io->heal(s->ctx, s->block, rkey);
	} else if ((l = malloc(sizeof(*l)))) {
		l->tag = tag_of(s, j, i);
		memcpy(l->rkey, rkey, CHK_KEY_LEN);
		memcpy(l->block, s->block, CHK_BLOCK_LEN);
		l->next = s->late;
		s->late = l;
	}
}

/* heal encodes again every block that was lost or whose answer is still
 * due, from the segment's data (mend). A check block that does not come
 * out under its key is left alone. */
static void
heal(struct splitfetch *s, struct job *j)
{
	unsigned have_idx[FEC_BLOCKS_MAX], want[FEC_BLOCKS_MAX], nw = 0, i;
	uint8_t *out[FEC_BLOCKS_MAX];
	struct chk_keys k;

	if (!s->io->heal)
		return;
	for (i = 0; i < j->fs.d; i++) {
		have_idx[i] = i;
		if ((j->state[i] == B_LOST || j->state[i] == B_ASKED) && chk_encode(s->block, &k, j->buf[i],
		    blen(s, j->lvl, j->fs.first_data + i)) == 0)
			mend(s, j, i, k.routing);
	}
	for (i = j->fs.d; i < j->n; i++)
		if ((j->state[i] == B_LOST || j->state[i] == B_ASKED) && (out[nw] = malloc(CHK_DATA_MAX)))
			want[nw++] = i;
	if (nw && fec_rebuild(j->fs.d, j->fs.c, have_idx, j->buf, nw, want, out, CHK_DATA_MAX) == 0)
		for (i = 0; i < nw; i++)
			if (keys_match(s, out[i], CHK_DATA_MAX, &j->keys[want[i]]))
				mend(s, j, want[i], j->keys[want[i]].routing);
	for (i = 0; i < nw; i++)
		free(out[i]);
}

/* late_answer: an answer to a block kept by mend; a miss is healed now. */
static void
late_answer(struct splitfetch *s, uint32_t tag, enum fetch_status st)
{
	struct late **p, *l;

	for (p = &s->late; *p && (*p)->tag != tag; p = &(*p)->next)
		;
	if (!(l = *p))
		return;
	*p = l->next;
	if (st == FETCH_NOTFOUND) {
		s->healed++;
		s->io->heal(s->ctx, l->block, l->rkey);
	}
	free(l);
}

/* complete: the job has what it needs; rebuild, heal, keep the data. */
static void
complete(struct splitfetch *s, struct job *j)
{
	unsigned i;
	int rc;

	if (j->decode) {
		if ((rc = rebuild(s, j)) != 0) {
			end(s, (enum fetch_status)rc, rc == FETCH_INTEGRITY
			    ? "a rebuilt block does not match its key: the document's check blocks are forged"
			    : "out of memory");
			return;
		}
		heal(s, j);
	}
	for (i = j->fs.d; i < j->n; i++) {
		free(j->buf[i]);
		j->buf[i] = NULL;
	}
	j->done = 1;
	s->again = 1; /* its keys or bytes may unblock another job */
}

static int
ready(const struct job *j)
{
	unsigned i;

	if (!j->active || j->done || j->nkeys < j->n)
		return 0;
	if (j->decode)
		return j->got >= j->fs.d;
	for (i = j->need_lo; i < j->need_hi; i++)
		if (j->state[i] != B_GOT && j->state[i] != B_SENT)
			return 0;
	return 1;
}

static struct job *
low_job(struct splitfetch *s, uint64_t seg)
{
	unsigned i;

	for (i = 0; i < LOW_JOBS; i++)
		if (s->job[i].active && s->job[i].seg == seg)
			return &s->job[i];
	return NULL;
}

/* deliver hands the current segment's bytes to the sink in order. */
static void
deliver(struct splitfetch *s)
{
	struct job *j;

	while (!s->ended && !s->paused && s->deliver <= s->seg_last && (j = low_job(s, s->deliver))) {
		while (j->next < j->need_hi && j->buf[j->next] && !s->paused) {
			uint64_t g = j->fs.first_data + j->next, off = g * CHK_DATA_MAX;
			uint64_t from = 0, to = blen(s, 0, g);
			if (off < s->first)
				from = s->first - off;
			if (off + to > s->last + 1)
				to = s->last + 1 - off;
			j->next++;
			if (from < to && s->io->data(s->ctx, j->buf[j->next - 1] + from, (size_t)(to - from)))
				s->paused = 1;
			if (!j->decode || j->done) {
				sodium_memzero(j->buf[j->next - 1], CHK_DATA_MAX);
				free(j->buf[j->next - 1]);
				j->buf[j->next - 1] = NULL;
				j->state[j->next - 1] = B_SENT;
			}
			if (s->ended)
				return;
		}
		if (j->next < j->need_hi || !j->done)
			return;
		job_release(j);
		s->deliver++;
		s->again = 1; /* the next segment but one can start */
	}
	if (s->deliver > s->seg_last)
		end(s, FETCH_OK, "ok");
}

static void
pump(struct splitfetch *s)
{
	unsigned lvl, i;

	if (s->pumping) {
		s->again = 1;
		return;
	}
	s->pumping = 1;
	do {
		struct job *cur, *next;
		uint64_t g;

		s->again = 0;
		for (g = s->deliver; g <= s->seg_last && g <= s->deliver + 1; g++)
			for (i = 0; i < LOW_JOBS && !low_job(s, g); i++)
				if (!s->job[i].active)
					job_reset(s, &s->job[i], 0, g);
		/* Keys: the index levels from the top down, then the segment
		 * being delivered, then the next one, which may move a level's
		 * cache on only once the current one has all its keys. */
		for (lvl = s->doc.levels - 1; lvl >= 1; lvl--)
			if (upper(s, lvl)->active)
				(void)fill_keys(s, upper(s, lvl));
		cur = low_job(s, s->deliver);
		next = low_job(s, s->deliver + 1);
		if (cur && fill_keys(s, cur) && next)
			(void)fill_keys(s, next);
		for (i = 0; i < JOBS; i++)
			if (ready(&s->job[i]))
				complete(s, &s->job[i]);
		for (lvl = s->doc.levels - 1; lvl >= 1; lvl--)
			ask_more(s, upper(s, lvl));
		if (cur)
			ask_more(s, cur);
		if (next && !s->ended)
			ask_more(s, next);
		deliver(s);
	} while (s->again && !s->ended);
	s->pumping = 0;
}

int
splitfetch_new(struct splitfetch **out, const struct split_doc *doc, uint64_t first, uint64_t last,
    const struct splitfetch_io *io, void *ctx)
{
	struct splitfetch *s;
	size_t toplen = (size_t)doc->len[doc->levels];

	if (!(s = calloc(1, sizeof(*s))))
		return WISP_ERR_NOMEM;
	s->window = FETCH_WINDOW;
	if (!(s->top = malloc(toplen))) {
		free(s);
		return WISP_ERR_NOMEM;
	}
	memcpy(s->top, doc->top, toplen);
	s->doc = *doc;
	s->doc.top = s->top;
	s->io = io;
	s->ctx = ctx;
	s->first = first;
	s->last = last < doc->len[0] ? last : doc->len[0] - 1;
	s->deliver = fec_seg_of(level_blocks(s, 0), doc->k, first / CHK_DATA_MAX);
	s->seg_last = fec_seg_of(level_blocks(s, 0), doc->k, s->last / CHK_DATA_MAX);
	if (first > s->last)
		s->deliver = s->seg_last + 1;
	*out = s;
	return 0;
}

void
splitfetch_free(struct splitfetch *s)
{
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < JOBS; i++)
		job_release(&s->job[i]);
	while (s->late) {
		struct late *l = s->late;
		s->late = l->next;
		free(l);
	}
	sodium_memzero(s->plain, sizeof(s->plain));
	free(s->top);
	free(s);
}

unsigned splitfetch_pending(const struct splitfetch *s) { return s->pending; }

void
splitfetch_set_window(struct splitfetch *s, unsigned w)
{
	s->window = w < 1 ? 1 : w > FETCH_WINDOW ? FETCH_WINDOW : w;
}
uint64_t splitfetch_blocks(const struct splitfetch *s) { return s->blocks; }
uint64_t splitfetch_healed(const struct splitfetch *s) { return s->healed; }

void
splitfetch_resume(struct splitfetch *s)
{
	s->paused = 0;
	pump(s);
}

/* start_decode: a needed block is lost, so any d blocks will do; those
 * already sent and freed are asked for again. */
static void
start_decode(struct job *j)
{
	unsigned i;

	j->decode = 1;
	for (i = 0; i < j->fs.d; i++)
		if (j->state[i] == B_SENT) {
			j->state[i] = B_NONE;
			j->got--;
		}
}

/* take keeps a block's plaintext in the job; 0, or -1 if it is not the
 * block the key names (it is then never given to the decoder). */
static int
take(struct splitfetch *s, struct job *j, unsigned i, int rc, const uint8_t *plain, size_t plen)
{
	size_t want = i < j->fs.d ? blen(s, j->lvl, j->fs.first_data + i) : CHK_DATA_MAX;

	if (rc != 0 || plen != want || !(j->buf[i] = malloc(CHK_DATA_MAX)))
		return -1;
	memcpy(j->buf[i], plain, plen);
	memset(j->buf[i] + plen, 0, CHK_DATA_MAX - plen);
	return 0;
}

static void
segment_lost(struct splitfetch *s, struct job *j)
{
	uint64_t nseg = fec_nsegs(level_blocks(s, j->lvl), s->doc.k);

	snprintf(s->why, sizeof(s->why), "%u of the %u blocks of segment %llu of %llu%s are missing; "
	    "any %u of them rebuild it", j->unavailable, j->n, (unsigned long long)j->seg + 1,
	    (unsigned long long)nseg, j->lvl ? " of the document's index" : "", j->fs.d);
	end(s, j->bad == j->unavailable ? FETCH_INTEGRITY : FETCH_NOTFOUND, s->why);
}

/* in_state: whether the block |tag| names is in state |st|. */
static int
in_state(const struct splitfetch *s, uint32_t tag, enum bstate st)
{
	unsigned slot = (tag >> 8) & 0xff, i = tag & 0xff;
	const struct job *j = &s->job[slot < JOBS ? slot : 0];

	return slot < JOBS && j->active && j->gen == ((tag >> 16) & 0x7fff) && i < j->n && j->state[i] == st;
}

/* job_at: the job |tag| names (the first for a slot out of range, which
 * in_state refuses). */
static struct job *
job_at(struct splitfetch *s, uint32_t tag)
{
	unsigned slot = (tag >> 8) & 0xff;

	return &s->job[slot < JOBS ? slot : 0];
}

int
splitfetch_block_opening(struct splitfetch *s, uint32_t tag, uint8_t ckey[CHK_KEY_LEN])
{
	struct job *j = job_at(s, tag);

	if (!in_state(s, tag, B_ASKED) || s->ended || j->done)
		return -1;
	j->state[tag & 0xff] = B_OPENING;
	memcpy(ckey, j->keys[tag & 0xff].crypto, CHK_KEY_LEN);
	return 0;
}

/* arrive counts the answer to block |i| of |j| in: 0, or -1 if it is not
 * wanted any more. */
static int
arrive(struct splitfetch *s, struct job *j, unsigned i)
{
	j->inflight--;
	if (s->ended || j->done) {
		j->state[i] = B_NONE;
		return -1;
	}
	s->answers++;
	return 0;
}

/* settle: block |i| of job |j| came (got) or did not (st says why). */
static void
settle(struct splitfetch *s, struct job *j, unsigned i, int got, enum fetch_status st)
{
	if (got) {
		j->state[i] = B_GOT;
		j->got++;
		s->blocks++;
	} else {
		j->state[i] = st == FETCH_NOTFOUND ? B_LOST : B_BAD;
		j->bad += j->state[i] == B_BAD;
		j->unavailable++;
		s->misses++;
		if (i >= j->need_lo && i < j->need_hi && !j->decode)
			start_decode(j);
		if (j->unavailable > j->fs.c) {
			segment_lost(s, j);
			return;
		}
	}
	pump(s);
}

void
splitfetch_block_done(struct splitfetch *s, uint32_t tag, enum fetch_status st, const uint8_t *block,
    size_t len)
{
	unsigned i = tag & 0xff;
	struct job *j = job_at(s, tag);
	size_t plen = 0;
	int rc;

	if (s->pending)
		s->pending--;
	if (s->late)
		late_answer(s, tag, st);
	if (!in_state(s, tag, B_ASKED) || arrive(s, j, i) != 0)
		return;
	if (st != FETCH_OK) {
		settle(s, j, i, 0, st);
		return;
	}
	rc = chk_decode(s->plain, &plen, block, len, j->keys[i].crypto);
	settle(s, j, i, take(s, j, i, rc, s->plain, plen) == 0, FETCH_INTEGRITY);
}

void
splitfetch_block_open(struct splitfetch *s, uint32_t tag, int rc, const uint8_t *plain, size_t len)
{
	unsigned i = tag & 0xff;
	struct job *j = job_at(s, tag);

	if (s->pending)
		s->pending--;
	if (in_state(s, tag, B_OPENING) && arrive(s, j, i) == 0)
		settle(s, j, i, take(s, j, i, rc, plain, len) == 0, FETCH_INTEGRITY);
}
