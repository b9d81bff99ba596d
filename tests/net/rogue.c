/* rogue: a friend (or an opennet stranger) gone bad, for tests of how a
 * node treats one. It speaks the real link protocol (Noise IK, sealed
 * records, routing messages) with its own identity, which the test makes
 * a friend of the target first, or which an opennet target admits.
 *
 *   rogue id KEYFILE                    print this identity's noderef
 *   rogue KEYFILE TARGET_NODEREF MODE [N]
 *     flood N    N Requests for random keys at once; then count the replies
 *     garbage    a record of random bytes
 *     replay     a valid keep-alive, then the same bytes again
 *     badblock   an Insert whose block does not match its key (prints the
 *                document's URI first, so the test can ask for it)
 *     stall URI N  N Requests for the URI's root block, never reading the
 *                replies: does the target drop the link rather than buffer?
 *     announce N N Announcements for random locations at once; then count
 *                the replies (offers, overloads, …)
 *     badoffer   an AnnounceReply that offers nothing (ref length 0)
 *     claim ADDR message 1 says the target was dialled at ADDR: a false
 *                claim of the target's public address; then stays 1 s
 *     asks N     N meeting asks (natmsg.h) for a random key at once: is the
 *                link still open after them?
 *     badnat     an address record with a byte too many
 *     swaps N    N swap requests (swap.h) at once, each ending at the
 *                target; then count its replies and refusals, and let
 *                go of the one walk it may have been given
 *     badreveal  a swap request, then a reveal that does not match its
 *                commitment, then the same reveal again
 *     badswap    a LOCATIONS record with a byte too many
 *
 * Prints what happened ("closed", "open", reply counts) on stdout. Exit 0
 * if the link was set up, 1 if the target refused the handshake. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/b64.h"
#include "crypto/chk.h"
#include "crypto/err.h"
#include "crypto/noderef.h"
#include "crypto/noise.h"
#include "crypto/uri.h"
#include "node/core/frame.h"
#include "node/core/natmsg.h"
#include "node/core/swap.h"
#include "node/core/wire.h"

static uint8_t sk[32], pk[32];

static int
load_key(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (f) {
		size_t n = fread(sk, 1, 32, f);
		fclose(f);
		if (n != 32)
			return -1;
	} else {
		randombytes_buf(sk, 32);
		if (!(f = fopen(path, "wb")) || fwrite(sk, 1, 32, f) != 32)
			return -1;
		fclose(f);
	}
	crypto_scalarmult_base(pk, sk);
	return 0;
}

static int
read_full(int fd, uint8_t *p, size_t n, int ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t r;
		if (poll(&pf, 1, ms) <= 0)
			return -2; /* quiet */
		r = read(fd, p + got, n - got);
		if (r <= 0)
			return -1; /* closed */
		got += (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* closed_within: does the target close the link within |ms|? Drains what
 * it sends meanwhile. */
static int
closed_within(int fd, int ms)
{
	uint8_t buf[65536];
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pf = { fd, POLLIN, 0 };
		long left;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return 0;
		if (read(fd, buf, sizeof(buf)) <= 0)
			return 1;
	}
}

/* next_record reads and opens the target's next record: 0 with its type
 * and payload (valid until the next call), -2 if it was quiet for |ms|,
 * 1 if the link closed or sent something that does not open. */
static int
next_record(int fd, struct noise_cipher *rx, int ms, uint8_t *type, const uint8_t **pp, size_t *plen)
{
	static uint8_t rec[FRAME_WIRE_MAX], plain[FRAME_BUCKET_L];
	uint8_t hdr[2];
	size_t total;
	int r = read_full(fd, hdr, 2, ms);

	if (r == -2)
		return -2;
	if (r != 0 || frame_wire_len(hdr, &total) != 0 || read_full(fd, rec + 2, total - 2, ms) != 0)
		return 1;
	memcpy(rec, hdr, 2);
	if (frame_open(rx, rec, total, plain, type, pp, plen) != 0)
		return 1;
	if (*type == FRAME_REKEY)
		noise_rekey(rx);
	return 0;
}

/* replies reads routing messages until the target is quiet for 3 s,
 * counting them by type into |counts|. Returns 1 if the link closed. */
static int
replies(int fd, struct noise_cipher *rx, long counts[WIRE_TYPE_MAX + 1], long *total_replies)
{
	for (;;) {
		uint8_t type;
		const uint8_t *pp;
		size_t plen;
		struct wire_msg m;
		int r = next_record(fd, rx, 3000, &type, &pp, &plen);
		if (r)
			return r == 1;
		if (type != FRAME_ROUTE || wire_decode(&m, pp, plen) != 0)
			continue;
		counts[m.type]++;
		(*total_replies)++;
	}
}

static int seal_send(int fd, struct noise_cipher *tx, uint8_t type, const uint8_t *p, size_t len, uint8_t *rec,
    size_t *rl);

/* swap_replies reads records until |want| answers have come (0: no
 * such end) or the target is quiet for |ms|, counting swap REPLYs (the
 * last one's walk into |replied|) and REFUSEDs; a walk of the target's
 * own that reaches us is refused at once, so it is free for ours.
 * Stopping at |want| matters: a walk the target took and we leave
 * hanging ends, after its timeout, with a REFUSED of its own that is not
 * an answer to a request. Returns 1 if the link closed. */
static int
swap_replies(int fd, struct noise_cipher *rx, struct noise_cipher *tx, int ms, long want, long *reply,
    long *refused, uint64_t *replied)
{
	static uint8_t out[FRAME_WIRE_MAX];
	uint8_t sb[SWAP_MSG_MAX];
	size_t sl, ol;
	long got = 0;

	while (!want || got < want) {
		uint8_t type;
		const uint8_t *pp;
		size_t plen;
		struct swap_msg m;
		int r = next_record(fd, rx, ms, &type, &pp, &plen);
		if (r)
			return r == 1;
		if (type != FRAME_SWAP || swap_msg_decode(&m, pp, plen) != 0)
			continue;
		if (m.kind == SWAP_REQUEST) {
			m.kind = SWAP_REFUSED;
			if (swap_msg_encode(&m, sb, sizeof(sb), &sl) != 0 || seal_send(fd, tx, FRAME_SWAP, sb, sl, out, &ol) != 0)
				return 1;
			continue;
		}
		if (m.kind == SWAP_REPLY) {
			(*reply)++;
			*replied = m.uid;
		}
		*refused += m.kind == SWAP_REFUSED;
		got += m.kind == SWAP_REPLY || m.kind == SWAP_REFUSED;
	}
	return 0;
}

static int
seal_send(int fd, struct noise_cipher *tx, uint8_t type, const uint8_t *p, size_t len, uint8_t *rec, size_t *rl)
{
	if (frame_seal(tx, type, p, len, rec, rl) != 0)
		return -1;
	return write_full(fd, rec, *rl);
}

int
main(int argc, char **argv)
{
	static uint8_t rec[FRAME_WIRE_MAX], msg[WIRE_MSG_MAX];
	uint8_t payload[HS1_PAYLOAD], e[32], out[2 + HS1_LEN], in[HS2_LEN], p2[HS2_PAYLOAD];
	struct noise_cipher tx, rx;
	struct noise_hs hs;
	struct noderef target, self = { 0 };
	struct hs1 h = { 0 };
	struct sockaddr_in sa = { 0 };
	const char *why, *mode;
	char host[64], text[NODEREF_TEXT_MAX];
	size_t ol, pl, rl;
	int fd;

	if (wisp_crypto_init() != 0 || argc < 3)
		return 2;
	if (!strcmp(argv[1], "id")) {
		if (load_key(argv[2]) != 0)
			return 2;
		memcpy(self.pub, pk, 32);
		if (noderef_format(&self, text, sizeof(text)) != 0)
			return 2;
		printf("%s\n", text);
		return 0;
	}
	if (argc < 4 || load_key(argv[1]) != 0 || noderef_parse(&target, argv[2], strlen(argv[2]), &why) != 0 ||
	    target.naddr == 0 || noderef_addr_format(&target.addr[0], host, sizeof(host)) != 0)
		return 2;
	mode = argv[3];
	{
		char *colon = strrchr(host, ':');
		if (!colon)
			return 2;
		*colon = '\0';
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
			return 2;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return 2;
	memcpy(h.ref.pub, pk, 32);
	if (!strcmp(mode, "claim") && (argc < 5 || noderef_addr_parse(&h.seen, argv[4]) != 0))
		return 2;
	{
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		hs1_stamp(h.stamp, (uint64_t)ts.tv_sec, (uint32_t)ts.tv_nsec);
	}
	noise_ik_init(&hs, 1, (const uint8_t *)FRAME_PROLOGUE, sizeof(FRAME_PROLOGUE) - 1, sk, target.pub);
	randombytes_buf(e, sizeof(e));
	if (hs1_encode(&h, payload) != 0 || noise_ik_write_msg1(&hs, e, payload, sizeof(payload), out + 2, HS1_LEN, &ol))
		return 2;
	out[0] = (uint8_t)(HS1_LEN >> 8);
	out[1] = (uint8_t)HS1_LEN;
	if (write_full(fd, out, sizeof(out)) != 0 || read_full(fd, out, 2, 5000) != 0 ||
	    read_full(fd, in, HS2_LEN, 5000) != 0 || noise_ik_read_msg2(&hs, in, HS2_LEN, p2, sizeof(p2), &pl) != 0) {
		printf("refused\n");
		return 1;
	}
	noise_split(&hs, &tx, &rx, NULL);

	if (!strcmp(mode, "claim")) {
		if (seal_send(fd, &tx, FRAME_KEEPALIVE, NULL, 0, rec, &rl) != 0)
			return 2;
		printf("%s\n", closed_within(fd, 1000) ? "closed" : "open");
	} else if (!strcmp(mode, "asks") || !strcmp(mode, "badnat")) {
		struct nat_msg nm = { .kind = NAT_ASK };
		uint8_t nb[NAT_MSG_MAX + 1];
		size_t nl;
		long i, n = argc > 4 ? atol(argv[4]) : 1;
		randombytes_buf(nm.key, 32);
		if (natmsg_encode(&nm, nb, sizeof(nb), &nl) != 0)
			return 2;
		if (!strcmp(mode, "badnat"))
			nb[nl++] = 0;
		for (i = 0; i < n; i++)
			if (seal_send(fd, &tx, FRAME_NAT, nb, nl, rec, &rl) != 0)
				break;
		printf("%s\n", closed_within(fd, 2000) ? "closed" : "open");
	} else if (!strcmp(mode, "garbage")) {
		uint8_t g[2 + FRAME_BUCKET_S + NOISE_MAC_LEN];
		/* first a good record: the link is up (key confirmation), and
		 * what follows is a friend's fault, not a stranger's replay */
		if (seal_send(fd, &tx, FRAME_KEEPALIVE, NULL, 0, rec, &rl) != 0)
			return 2;
		randombytes_buf(g, sizeof(g));
		g[0] = (uint8_t)((FRAME_BUCKET_S + NOISE_MAC_LEN) >> 8);
		g[1] = (uint8_t)(FRAME_BUCKET_S + NOISE_MAC_LEN);
		(void)write_full(fd, g, sizeof(g));
		printf("%s\n", closed_within(fd, 3000) ? "closed" : "open");
	} else if (!strcmp(mode, "replay")) {
		if (seal_send(fd, &tx, FRAME_KEEPALIVE, NULL, 0, rec, &rl) != 0)
			return 2;
		(void)write_full(fd, rec, rl); /* the same record again */
		printf("%s\n", closed_within(fd, 3000) ? "closed" : "open");
	} else if (!strcmp(mode, "badblock")) {
		uint8_t data[1000], block[CHK_BLOCK_LEN];
		struct chk_keys k;
		struct uri u = { .type = URI_CHK, .alg = URI_ALG_V1, .kind = URI_KIND_DOC };
		struct wire_msg m = { .type = WIRE_INSERT, .htl = 10 };
		size_t ml;
		randombytes_buf(data, sizeof(data));
		if (chk_encode(block, &k, data, sizeof(data)) != 0)
			return 2;
		memcpy(u.key, k.routing, 32);
		memcpy(u.ckey, k.crypto, 32);
		if (uri_format(text, sizeof(text), &u, 0) != 0)
			return 2;
		printf("%s\n", text);
		block[CHK_BLOCK_LEN / 2] ^= 0x20; /* no longer the block its key names */
		randombytes_buf(&m.id, sizeof(m.id));
		memcpy(m.key, k.routing, 32);
		m.block = block;
		m.block_len = sizeof(block);
		if (wire_encode(&m, msg, sizeof(msg), &ml) != 0 || seal_send(fd, &tx, FRAME_ROUTE, msg, ml, rec, &rl) != 0)
			return 2;
		printf("%s\n", closed_within(fd, 3000) ? "closed" : "open");
	} else if (!strcmp(mode, "stall")) {
		struct uri u;
		long n = argc > 5 ? atol(argv[5]) : 1000, i;
		int fl, rcvbuf;
		if (argc < 5 || uri_parse(&u, argv[4], strlen(argv[4]), &why) != 0)
			return 2;
		fl = fcntl(fd, F_GETFL);
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK); /* a write that would block: the target stopped reading too */
		/* a small receive buffer, as across the internet: loopback's
		 * would take megabytes before its window closed */
		rcvbuf = 65536;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		for (i = 0; i < n; i++) {
			struct wire_msg m = { .type = WIRE_REQUEST, .htl = 18 };
			size_t ml, off = 0;
			randombytes_buf(&m.id, sizeof(m.id));
			memcpy(m.key, u.key, 32);
			if (wire_encode(&m, msg, sizeof(msg), &ml) != 0 || frame_seal(&tx, FRAME_ROUTE, msg, ml, rec, &rl) != 0)
				return 2;
			while (off < rl) {
				ssize_t w = write(fd, rec + off, rl - off);
				if (w > 0)
					off += (size_t)w;
				else if (w < 0 && errno == EAGAIN)
					usleep(1000);
				else
					break;
			}
			if (off < rl)
				break;
		}
		(void)fcntl(fd, F_SETFL, fl);
		sleep(10); /* not reading: the replies pile up at the target */
		printf("sent %ld %s\n", i, closed_within(fd, 3000) ? "closed" : "open");
	} else if (!strcmp(mode, "flood") || !strcmp(mode, "announce")) {
		long n = argc > 4 ? atol(argv[4]) : 1000, i, counts[WIRE_TYPE_MAX + 1] = { 0 }, got = 0;
		int closed = 0, ann = !strcmp(mode, "announce");
		for (i = 0; i < n; i++) {
			struct wire_msg m = { .type = ann ? WIRE_ANNOUNCE : WIRE_REQUEST, .htl = ann ? 10 : 18 };
			size_t ml;
			randombytes_buf(&m.id, sizeof(m.id));
			randombytes_buf(m.key, sizeof(m.key));
			if (wire_encode(&m, msg, sizeof(msg), &ml) != 0)
				return 2;
			if (seal_send(fd, &tx, FRAME_ROUTE, msg, ml, rec, &rl) != 0) {
				closed = 1;
				break;
			}
		}
		/* Read the answers until the target goes quiet for 3 s. */
		if (!closed)
			closed = replies(fd, &rx, counts, &got);
		printf("sent %ld replies %ld overload %ld notfound %ld routenotfound %ld offers %ld %s\n", i, got,
		    counts[WIRE_REJECTED_OVERLOAD], counts[WIRE_DATA_NOT_FOUND], counts[WIRE_ROUTE_NOT_FOUND],
		    counts[WIRE_ANNOUNCE_REPLY], closed ? "closed" : "open");
	} else if (!strcmp(mode, "swaps") || !strcmp(mode, "badreveal") || !strcmp(mode, "badswap")) {
		uint8_t sb[SWAP_MSG_MAX + 1];
		struct swap_msg m;
		long i, n = !strcmp(mode, "swaps") && argc > 4 ? atol(argv[4]) : 1, reply = 0, refused = 0;
		uint64_t replied = 0;
		size_t sl;
		int closed = 0;
		memset(&m, 0, sizeof(m));
		if (!strcmp(mode, "badswap")) {
			m.kind = SWAP_LOCATIONS;
			if (swap_msg_encode(&m, sb, sizeof(sb), &sl) != 0)
				return 2;
			sb[sl++] = 0;
			if (seal_send(fd, &tx, FRAME_SWAP, sb, sl, rec, &rl) != 0)
				return 2;
			printf("%s\n", closed_within(fd, 3000) ? "closed" : "open");
			close(fd);
			return 0;
		}
		for (i = 0; i < n && !closed; i++) {
			m.kind = SWAP_REQUEST;
			m.htl = 1; /* it ends at the target */
			randombytes_buf(&m.uid, sizeof(m.uid));
			randombytes_buf(m.commit, sizeof(m.commit));
			if (swap_msg_encode(&m, sb, sizeof(sb), &sl) != 0)
				return 2;
			closed = seal_send(fd, &tx, FRAME_SWAP, sb, sl, rec, &rl) != 0;
		}
		if (!closed)
			closed = swap_replies(fd, &rx, &tx, 3000, n, &reply, &refused, &replied);
		if (!strcmp(mode, "swaps") && !closed && reply) {
			/* let go of the walk it took, as a friend that changed its
			 * mind would, so the target is free for what comes next */
			m.kind = SWAP_REFUSED;
			m.uid = replied;
			if (swap_msg_encode(&m, sb, sizeof(sb), &sl) != 0)
				return 2;
			closed = seal_send(fd, &tx, FRAME_SWAP, sb, sl, rec, &rl) != 0;
		}
		/* badreveal needs the target as its partner: while it is busy
		 * with a walk of its own, or the flood before has used up our
		 * rate, it refuses; ask again after a quiet second, 10 times
		 * at most */
		for (i = 0; !strcmp(mode, "badreveal") && !closed && !reply && i < 10; i++) {
			m.kind = SWAP_REQUEST;
			randombytes_buf(&m.uid, sizeof(m.uid));
			if (swap_msg_encode(&m, sb, sizeof(sb), &sl) != 0)
				return 2;
			closed = seal_send(fd, &tx, FRAME_SWAP, sb, sl, rec, &rl) != 0 ||
			    swap_replies(fd, &rx, &tx, 1000, 0, &reply, &refused, &replied);
		}
		if (!strcmp(mode, "badreveal") && !closed && reply) {
			/* a reveal of another location than the commitment named,
			 * twice: refused once, then a walk the target has ended */
			refused = 0;
			m.kind = SWAP_OPEN_A;
			m.uid = replied; /* a late answer may be to an earlier ask */
			randombytes_buf(m.rv.loc, sizeof(m.rv.loc));
			randombytes_buf(m.rv.nonce, sizeof(m.rv.nonce));
			if (swap_msg_encode(&m, sb, sizeof(sb), &sl) != 0)
				return 2;
			for (i = 0; i < 2 && !closed; i++)
				closed = seal_send(fd, &tx, FRAME_SWAP, sb, sl, rec, &rl) != 0 ||
				    swap_replies(fd, &rx, &tx, 2000, 0, &reply, &refused, &replied);
		}
		printf("sent %ld replies %ld refused %ld %s\n", n, reply, refused, closed ? "closed" : "open");
	} else if (!strcmp(mode, "badoffer")) {
		/* type, id, htl, key, ref length 0: wire_encode refuses to write it */
		size_t ml = WIRE_HEADER_LEN + 1;
		memset(msg, 0, ml);
		msg[0] = WIRE_ANNOUNCE_REPLY;
		msg[9] = 5;
		if (seal_send(fd, &tx, FRAME_ROUTE, msg, ml, rec, &rl) != 0)
			return 2;
		printf("%s\n", closed_within(fd, 3000) ? "closed" : "open");
	} else {
		return 2;
	}
	close(fd);
	return 0;
}
