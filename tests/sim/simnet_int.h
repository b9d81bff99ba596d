/* simnet_int.h: between the simulator's driver (simnet.c) and the files
 * that build on it (the models, the probes). Not for sim.c. */
#ifndef WISP_SIMNET_INT_H
#define WISP_SIMNET_INT_H

#include <stdint.h>

#include "node/core/wire.h"

struct ev {
	uint64_t t, seq;
	uint32_t to, from;
	uint8_t kind;                    /* EV_MSG or EV_TIMER */
	struct wire_msg m;
};
enum { EV_MSG = 1, EV_TIMER = 2 };

/* A model's rules, which the driver calls without naming the model (each
 * builder sets S.hooks; NULL hooks are skipped). */
struct sim_hooks {
	/* a message about to reach e->to's router: 1 if the model took it */
	int (*arrive)(const struct ev *e);
	/* the same, after the router has had it */
	void (*arrived)(const struct ev *e);
	/* an operation is over: the network is quiet */
	void (*op_end)(void);
	/* an insert from |at| is over; S.reached holds the nodes it reached */
	void (*inserted)(uint32_t at, uint32_t doc);
};

/* the driver, for the models */
void rnd_bytes(void *buf, size_t n);
uint64_t prefix(const uint8_t k[WIRE_KEY_LEN]);
uint32_t hash_get(const struct hmap *h, uint64_t pre);
void link_one(uint32_t a, uint32_t b);  /* |a| can send to |b| */
void know(uint32_t a, uint32_t b);      /* and files |b| under its location */
void link_both(uint32_t a, uint32_t b);
void drain(uint32_t id);                /* carry out |id|'s router's actions */
void send_ev(uint32_t from, uint32_t to, const struct wire_msg *m);

#endif
