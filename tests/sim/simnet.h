/* simnet.h: the simulated network wisp-sim's experiments (sim.c) run on
 * (the driver simnet.c, the models sim_paper.c, sim_opennet.c and
 * sim_darknet.c, the probes sim_probe.c):
 * nodes with wispd's own router and opennet policy, simulated time, one
 * seeded random stream, the three network models (docs/sim.md), the
 * workload and the probes. One network at a time, in S. */
#ifndef WISP_SIMNET_H
#define WISP_SIMNET_H

#include <stddef.h>
#include <stdint.h>

#include "node/core/opennet_policy.h"
#include "node/core/router.h"
#include "node/core/swap.h"

enum {
	STORE_ITEMS = 50,     /* the paper's datastore */
	LATENCY_MS = 10,      /* per hop, plus up to as much again */
	PROBE_HTL = 64,       /* the wire's largest HTL; the paper used 500 */
	ANNOUNCE_HTL = 10,    /* the paper's announcement */
};

struct node {
	struct router *r;
	struct opennet *on;              /* the opennet model's policy, as in wispd */
	struct swap *sw;                 /* the darknet's location swapping, as in wispd */
	uint8_t loc[WIRE_KEY_LEN];
	uint8_t alive, nstore;
	uint8_t evil;                    /* a Pitch Black attacker (sim_darknet.c) */
	uint64_t timer_at;               /* the timer event that counts, or 0 */
	uint32_t store[STORE_ITEMS];     /* document numbers, most recent last */
};

/* OPEN: the paper's (any node may contact any); DARK: fixed friends;
 * OPENNET: wispd's opennet, bounded peers grown by announcement and path
 * folding under node/core/opennet_policy.c. */
enum model { OPEN, DARK, OPENNET };

/* A hash map of 64-bit prefixes (below). */
struct hmap {
	uint64_t *tab;                   /* pairs: prefix, index + 1 */
	uint32_t cap, fill;
};

struct sim_hooks;

/* One requester's outcome in a flash crowd (crowd below). */
struct crowd_answer {
	int done;
	enum router_status st;
	uint64_t ms;                     /* simulated time to the answer */
	uint64_t hops;                   /* the reply's distance count (0: own store) */
};

struct sim {
	enum model model;
	const struct sim_hooks *hooks;   /* the model's rules, set by its builder */
	struct node *nodes;
	uint32_t n, cap;
	uint8_t (*keys)[WIRE_KEY_LEN];   /* every document's routing key */
	uint16_t *holders;               /* live nodes holding each document */
	uint32_t *born;                  /* the step each document was inserted at */
	uint32_t step_now, window;       /* probes: documents of the last |window| steps */
	uint32_t ndocs, capdocs;
	struct hmap khash;               /* key prefix → document */
	struct hmap lhash;               /* location prefix → node */
	struct ev *heap;
	size_t nheap, capheap;
	uint64_t now, seq;
	/* the operation in progress */
	int op_done;
	enum router_status op_status;
	uint8_t op_htl;                  /* the HTL at the holder (ROUTER_HTL_HERE: own store) */
	struct { uint32_t from, to; } *dials; /* opennet links asked for during an operation */
	size_t ndials, capdials;
	uint64_t op_sends;
	uint32_t *reached;               /* an insert's or announcement's nodes */
	size_t nreached, capreached;
	int collect;
	struct { uint32_t at, peer; } *opened; /* contacts opened by this operation */
	size_t nopened, capopened;
	/* darknet friends: adjacency lists */
	uint32_t **adj;
	uint32_t *deg;
	uint64_t requests, messages, swap_messages;
	/* a flash crowd in progress: its requesters and their answers */
	struct crowd_answer *crowd;
	const uint32_t *crowd_at;
	unsigned crowd_k;
	uint64_t crowd_t0;
};
extern struct sim S;

/* settings, from the command line */
extern uint8_t WORK_HTL;                /* the workload's HTL (20, the paper's) */
extern uint8_t rewrite_pct;             /* --rewrite: data-source rewriting, percent */
extern int rewrite_given;               /* opennet: wispd's 30 unless --rewrite says */
extern unsigned announce_paths;         /* --announce-paths */
extern uint32_t window_steps;           /* --window */
extern struct router_config rcfg;       /* every router's, set by reset() */
extern struct opennet_config ocfg;      /* every opennet node's policy */
extern uint32_t open_seed;              /* the opennet's one seed */

/* reset frees the network and starts an empty one from |seed|. */
void reset(uint64_t seed);
void die(const char *what);
void *xrealloc(void *p, size_t n);
uint32_t rnd_below(uint32_t n);
double rnd_unit(void);

/* building networks */
uint32_t node_new(void);
void ring(uint32_t n);                  /* the paper's ring lattice, open model */
void announce(void);                    /* a newcomer joins the open model */
/* darknet: with DARK_SWAP every node runs wispd's swapping (attempts when
 * swap_once says), with DARK_FOAF friends tell each other their friends'
 * locations and route by them; with neither, locations stay put. */
enum { DARK_SWAP = 1, DARK_FOAF = 2 };
void darknet(uint32_t n, unsigned degree, unsigned flags);
int swap_once(void);                    /* one location swap attempt; 1 if swapped */
extern uint32_t dark_reset_ppm;         /* darknet(): every node's swap reset_ppm (0) */
/* pitch_black: |count| random nodes turn Pitch Black attackers aiming at
 * |at|; dark_near: the share of honest nodes within |arc| of |at|, %. */
void pitch_black(uint32_t count, const uint8_t at[WIRE_KEY_LEN]);
double dark_near(const uint8_t at[WIRE_KEY_LEN], uint64_t arc);
/* dark_links: friends' median distance in spacings (1/N of the circle);
 * dark_edges writes the friend graph to |path|, a pair a line. */
double dark_links(void);
int dark_edges(const char *path);
void open_node(uint32_t id);            /* |id| runs opennet */
void open_join(void);                   /* a newcomer joins the opennet through its seed */
void open_maintain(uint32_t x);         /* wispd's opennet tick, for one node */

/* the workload */
uint32_t doc_new(void);
enum router_status op(uint32_t at, int insert, uint32_t doc, uint64_t *sends);
void insert_op(uint32_t at, uint32_t doc);
void step(int per);
void run(void);
uint32_t random_alive(void);
void set_htl(uint8_t htl);
void observe(int on);
/* crowd: the |k| nodes of |at| (distinct) ask for |doc| at one simulated
 * moment; the network runs until quiet; |res| gets each one's answer. */
void crowd(const uint32_t *at, unsigned k, uint32_t doc, struct crowd_answer *res);
uint64_t timeouts_total(void);          /* hop timeouts, summed over the routers */

/* probes */
struct probe_result {
	double q1, median, q3, success;
};
struct probe_result probes(int count, int recent);
double stored_share(void);
double recent_kept(void);               /* the recent window's documents some node holds, % */
int cmp_u64(const void *a, const void *b);
double quantile(const uint64_t *v, size_t n, double q);

#endif
