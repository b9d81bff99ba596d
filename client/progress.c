/* A progress bar on stderr, only when stderr is a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "client/cli.h"

struct progress {
	int on;
	const char *verb;
	uint64_t total, bytes, blocks;
	uint64_t base;          /* bytes at the first update: a transfer followed may be under way */
	double start, last;
	int seen;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress *
progress_new(int enabled, const char *verb, uint64_t total)
{
	struct progress *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->on = enabled && isatty(STDERR_FILENO);
	p->verb = verb;
	p->total = total;
	p->start = p->last = now();
	return p;
}

void
human_bytes(char *out, size_t n, double v)
{
	const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (v >= 1024 && i < 4)
		v /= 1024, i++;
	snprintf(out, n, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

void
human_secs(char *out, size_t n, double s)
{
	if (s < 90)
		snprintf(out, n, "%.0f s", s);
	else if (s < 90 * 60)
		snprintf(out, n, "%.0f min", s / 60);
	else
		snprintf(out, n, "%ld h %02ld min", (long)s / 3600, (long)s % 3600 / 60);
}

static void
draw(struct progress *p, double t)
{
	char done[32], total[40] = "", rate[40], eta[40] = "";
	/* the rate of what this bar saw move; none shown before it knows one */
	double secs = t - p->start, r = secs > 0.2 && p->bytes > p->base ? (double)(p->bytes - p->base) / secs : 0;
	int width = 24, fill = 0, i;

	human_bytes(done, sizeof(done), (double)p->bytes);
	if (r > 0) {
		char rr[32];
		human_bytes(rr, sizeof(rr), r);
		snprintf(rate, sizeof(rate), ", %s/s", rr);
	} else {
		rate[0] = 0;
	}
	if (p->total) {
		char tt[32];
		human_bytes(tt, sizeof(tt), (double)p->total);
		snprintf(total, sizeof(total), " of %s", tt);
		fill = (int)((double)width * (double)p->bytes / (double)p->total);
		if (fill > width)
			fill = width;
		if (r > 0 && p->bytes < p->total) {
			char l[32];
			human_secs(l, sizeof(l), (double)(p->total - p->bytes) / r);
			snprintf(eta, sizeof(eta), ", %s left", l);
		}
	}
	fprintf(stderr, "\r%s [", p->verb);
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : (p->total ? '.' : ' '), stderr);
	/* \033[K clears what a longer line before left behind */
	fprintf(stderr, "] %s%s%s%s\033[K", done, total, rate, eta);
	fflush(stderr);
}

void
progress_update(struct progress *p, uint64_t bytes, uint64_t blocks)
{
	double t;

	if (!p || !p->on)
		return;
	t = now();
	if (!p->seen) {
		p->seen = 1;
		p->base = bytes;
		p->start = t;
	}
	p->bytes = bytes;
	p->blocks = blocks;
	if (t - p->last < 0.1)
		return;
	p->last = t;
	draw(p, t);
}

void
progress_total(struct progress *p, uint64_t total)
{
	if (p)
		p->total = total;
}

void
progress_done(struct progress *p)
{
	if (!p)
		return;
	if (p->on) {
		draw(p, now());
		fputc('\n', stderr);
	}
	free(p);
}
