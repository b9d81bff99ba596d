/* link_queue.c: what a link sends (link_int.h): records sealed straight
 * into the socket's output, the blocks waiting for room there (replies
 * ahead of inserts), and how fast the output drains. */
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "crypto/bytes.h"
#include "node/base/clock.h"
#include "node/base/node.h"
#include "node/core/frame.h"
#include "node/core/wire.h"
#include "node/link/link.h"
#include "node/link/link_int.h"
#include "node/link/peers.h"

int
lnk_send_raw(struct link *l, const uint8_t *p, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(l->bev);

	if (evbuffer_get_length(out) + len > LINK_OUTPUT_MAX)
		return -1; /* the peer stopped reading: drop it, not our memory */
	if (bufferevent_write(l->bev, p, len) != 0)
		return -1;
	l->last_tx = node_now_ms();
	l->n->pstats.bytes_out += len;
	if (l->peer)
		l->peer->bytes_out += len;
	return 0;
}

/* Records are sealed straight into the socket's output buffer: space is
 * reserved there, the record built and encrypted in place, and committed
 * only if the peer's quota allows. A block crossing a node is copied once
 * on its way out. */
static int
reserve(struct link *l, struct evbuffer_iovec *v)
{
	if (l->state != L_UP)
		return -1;
	return evbuffer_reserve_space(bufferevent_get_output(l->bev), FRAME_WIRE_MAX, v, 1) == 1 &&
	    v->iov_len >= FRAME_WIRE_MAX ? 0 : -1;
}

static int
commit(struct link *l, struct evbuffer_iovec *v, size_t n)
{
	struct evbuffer *out = bufferevent_get_output(l->bev);

	if (evbuffer_get_length(out) + n > LINK_OUTPUT_MAX)
		return -1; /* the peer stopped reading: drop it, not our memory */
	v->iov_len = n;
	if (evbuffer_commit_space(out, v, 1) != 0)
		return -1;
	l->sent += n;
	l->n->pstats.bytes_out += n;
	l->last_tx = node_now_ms();
	if (l->peer)
		l->peer->bytes_out += n;
	l->since_rekey += n;
	return 0;
}

int
link_send(struct link *l, uint8_t type, const uint8_t *p, size_t len)
{
	struct evbuffer_iovec v;
	size_t n;

	if (reserve(l, &v) != 0 || frame_seal(&l->tx, type, p, len, v.iov_base, &n) != 0)
		return -1;
	return commit(l, &v, n);
}

_Static_assert((int)WIRE_MSG_MAX <= (int)FRAME_PAYLOAD_MAX, "every routing message fits in one record");

/* out_room: may one more block record go into the output now? */
static int
out_room(const struct link *l)
{
	return evbuffer_get_length(bufferevent_get_output(l->bev)) < FRAME_WIRE_MAX;
}

/* lnk_unacked: bytes the kernel holds for the peer, sent or not, that the
 * peer has not acknowledged (SIOCOUTQ); 0 where it cannot say. */
uint64_t
lnk_unacked(const struct link *l)
{
	int q = 0;

	if (ioctl(bufferevent_getfd(l->bev), SIOCOUTQ, &q) != 0 || q < 0)
		return 0;
	return (uint64_t)q;
}

/* gone: the bytes the peer took so far: handed to the kernel and
 * acknowledged. A peer that stops reading closes its window, and this
 * stops however large the kernel's buffers grow. */
static uint64_t
gone(const struct link *l)
{
	uint64_t k = l->sent - evbuffer_get_length(bufferevent_get_output(l->bev)), q = lnk_unacked(l);

	return k > q ? k - q : 0;
}

/* lnk_measure: while the link has a backlog, how fast it drains; an idle
 * spell tells nothing of the path's speed and is left out. */
void
lnk_measure(struct link *l)
{
	uint64_t now = node_now_ms(), queued = link_queued(l) + lnk_unacked(l);

	if (gone(l) != l->gone_seen || !queued) {
		l->gone_seen = gone(l);
		l->moved_at = now;
	}
	if (queued < FRAME_WIRE_MAX) {
		l->busy_at = 0; /* less than a record waits: no backlog to time */
		return;
	}
	if (!l->busy_at) {
		l->busy_at = now;
		l->busy_gone = gone(l);
		return;
	}
	if (now - l->busy_at >= 250) {
		double bps = (double)(gone(l) - l->busy_gone) * 1000.0 / (double)(now - l->busy_at);
		l->drain_bps = l->measured && now - l->measured_at < LINK_RATE_TTL_MS ? 0.7 * l->drain_bps + 0.3 * bps : bps;
		l->measured = 1;
		l->measured_at = now;
		l->busy_at = now;
		l->busy_gone = gone(l);
	}
}

size_t
link_queued(const struct link *l)
{
	return evbuffer_get_length(bufferevent_get_output(l->bev)) + l->bulk_bytes;
}

uint64_t
link_drain_ms(const struct link *l, size_t more)
{
	/* with nothing waiting a reply leaves at once, whatever the last
	 * backlog's rate was: a stale estimate must not refuse work for ever */
	if (!l->measured || !link_queued(l) || node_now_ms() - l->measured_at > LINK_RATE_TTL_MS)
		return 0;
	if (l->drain_bps < 1)
		return UINT64_MAX; /* its backlog did not move at all */
	return (uint64_t)((double)(link_queued(l) + more) * 1000.0 / l->drain_bps);
}

/* seal_msg seals a routing message into the output. */
static int
seal_msg(struct link *l, const uint8_t *msg, size_t len)
{
	struct evbuffer_iovec v;
	size_t n;

	if (reserve(l, &v) != 0 || frame_seal(&l->tx, FRAME_ROUTE, msg, len, v.iov_base, &n) != 0)
		return -1;
	return commit(l, &v, n);
}

/* lnk_pump moves waiting blocks into the output while it has room: from the
 * write callback as the output drains, so a request sealed meanwhile
 * goes out ahead of them, and the replies waiting ahead of the inserts. */
int
lnk_pump(struct link *l)
{
	uint8_t h[4];

	while ((l->bulk_n[LINK_REPLY] || l->bulk_n[LINK_INSERT]) && out_room(l) && l->state == L_UP) {
		unsigned c = l->bulk_n[LINK_REPLY] ? LINK_REPLY : LINK_INSERT;
		const uint8_t *msg;
		uint32_t len;
		if (evbuffer_copyout(l->bulk[c], h, 4) != 4)
			return -1;
		len = load_u32be(h);
		if (!(msg = evbuffer_pullup(l->bulk[c], (ev_ssize_t)len + 4)) || seal_msg(l, msg + 4, len) != 0)
			return -1;
		evbuffer_drain(l->bulk[c], len + 4);
		l->bulk_bytes -= len + 4;
		l->bulk_n[c]--;
		if (c == LINK_REPLY && l->bulk_n[LINK_INSERT])
			l->n->pstats.replies_ahead++;
	}
	lnk_measure(l);
	return 0;
}

/* queue_block keeps a routing message with a block for later: an insert
 * behind the inserts, anything else (a block someone waits for) behind
 * the other replies, ahead of the inserts. */
static int
queue_block(struct link *l, const struct wire_msg *m)
{
	unsigned c = m->type == WIRE_INSERT ? LINK_INSERT : LINK_REPLY;
	struct evbuffer_iovec v;
	size_t len;

	if (l->bulk_bytes + 4 + FRAME_PAYLOAD_MAX > LINK_BULK_MAX)
		return LINK_FULL;
	if (!l->bulk[c] && !(l->bulk[c] = evbuffer_new()))
		return -1;
	if (evbuffer_reserve_space(l->bulk[c], 4 + FRAME_PAYLOAD_MAX, &v, 1) != 1 || v.iov_len < 4 + FRAME_PAYLOAD_MAX ||
	    wire_encode(m, (uint8_t *)v.iov_base + 4, FRAME_PAYLOAD_MAX, &len) != 0)
		return -1;
	store_u32be(v.iov_base, (uint32_t)len);
	v.iov_len = 4 + len;
	if (evbuffer_commit_space(l->bulk[c], &v, 1) != 0)
		return -1;
	l->bulk_bytes += 4 + len;
	l->bulk_n[c]++;
	lnk_measure(l);
	return 0;
}

int
link_send_msg(struct link *l, const struct wire_msg *m)
{
	struct evbuffer_iovec v;
	uint8_t *rec;
	size_t len, n;

	if (m->block && l->state == L_UP && (l->bulk_n[LINK_REPLY] || l->bulk_n[LINK_INSERT] || !out_room(l)))
		return queue_block(l, m);
	if (reserve(l, &v) != 0)
		return -1;
	/* encoded where frame_seal puts the payload, so it moves nothing */
	rec = v.iov_base;
	if (wire_encode(m, rec + FRAME_HDR_LEN, FRAME_PAYLOAD_MAX, &len) != 0 ||
	    frame_seal(&l->tx, FRAME_ROUTE, rec + FRAME_HDR_LEN, len, rec, &n) != 0)
		return -1;
	return commit(l, &v, n);
}
