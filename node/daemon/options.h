/* options.h: wispd's command line, and the reload of wispd.conf under it
 * (flags given at start win over the file, at start and at each reload). */
#ifndef WISP_OPTIONS_H
#define WISP_OPTIONS_H

#include <stddef.h>

struct node;
struct node_conf;

enum { OPTIONS_OVERRIDES_MAX = 16 };

struct options {
	const char *datadir;     /* -d, or NULL for the default */
	int foreground;
	int passphrase_fd;       /* --passphrase-fd, or -1 */
	struct { const char *key, *val; } ov[OPTIONS_OVERRIDES_MAX];
	int nov;
};

/* options_parse reads argv (--help and --version exit); -1 on a usage error. */
int options_parse(int argc, char **argv, struct options *o);
/* options_apply sets the flags' values in |c|; on error |why| says which. */
int options_apply(const struct options *o, struct node_conf *c, char *why, size_t whylen);
/* options_reload rereads wispd.conf (SIGHUP): the log level, htl-max,
 * rtable-max, opennet and the "peer" lines apply at once, without touching
 * the links that stay; addresses and store sizes need a restart, and a
 * file with an error changes nothing. */
int options_reload(struct node *n, const struct options *o, char *err, size_t errlen);

#endif
