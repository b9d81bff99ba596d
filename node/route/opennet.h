/* opennet.h: the opennet in wispd (docs/opennet.md): seeds, announcements,
 * offers, path folding and strangers, carried out for the pure policy in
 * core/opennet_policy.h over the links and the router's driver. */
#ifndef WISP_ROUTE_OPENNET_H
#define WISP_ROUTE_OPENNET_H

#include <stdint.h>

struct node;
struct peer;
struct noderef;

enum { OPENLINK_SEEDS_MAX = 64 };
struct openlink_stats {
	uint64_t announces, announces_relayed, announces_refused, offers_made, offers_taken, folds;
	uint64_t admitted, refused;
};

/* openlink_start sets its hooks on the peer table and the driver (after
 * node_route_start) and turns the opennet on if conf.opennet says so. */
int openlink_start(struct node *n);
void openlink_stop(struct node *n);
int openlink_reconfigure(struct node *n);
void openlink_save(struct node *n);  /* the opennet peers, for the next start */
int openlink_seed_add(struct node *n, const struct noderef *ref);
unsigned openlink_seeds(const struct node *n, const struct noderef **out);
const char *openlink_kind(const struct node *n, const struct peer *p); /* friend, opennet, transient */
void openlink_stats(const struct node *n, struct openlink_stats *st, int *on, unsigned *peers, unsigned *transient);

#endif
