#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "crypto/pool.h"

enum { POOL_MAX = 64 };

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t go, idle;
	pthread_t tid[POOL_MAX];
	unsigned nthreads;   /* workers started, the caller not counted */
	unsigned long gen;   /* bumped for each loop; a worker joins once per gen */
	struct job *job;     /* the loop under way, NULL once its caller left */
	unsigned busy;       /* workers inside it */
	int stop;
};

/* A loop lives on its caller's stack: a worker takes it only under the
 * lock, and the caller clears it before it returns. */
struct job {
	pool_fn fn;
	void *ctx;
	size_t n;
	atomic_size_t next;
};

/* run takes indices until none is left: every thread of the loop, the
 * caller's too, so a loop of one piece costs no wake-up. */
static void
run(struct job *j)
{
	size_t i;

	while ((i = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->n)
		j->fn(j->ctx, i);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	unsigned long seen = 0;
	struct job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && (p->gen == seen || !p->job))
			pthread_cond_wait(&p->go, &p->mu);
		if (p->stop)
			break;
		seen = p->gen;
		j = p->job;
		p->busy++;
		pthread_mutex_unlock(&p->mu);
		run(j);
		pthread_mutex_lock(&p->mu);
		if (--p->busy == 0)
			pthread_cond_signal(&p->idle);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
pool_new(struct pool **out, unsigned threads)
{
	struct pool *p;
	long cores;

	if (threads == 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores > 0 ? (unsigned)cores : 1;
	}
	if (threads > POOL_MAX)
		threads = POOL_MAX;
	if (!(p = calloc(1, sizeof(*p))))
		return WISP_ERR_NOMEM;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return WISP_ERR_NOMEM;
	}
	if (pthread_cond_init(&p->go, NULL) != 0 || pthread_cond_init(&p->idle, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		free(p);
		return WISP_ERR_NOMEM;
	}
	while (p->nthreads + 1 < threads && pthread_create(&p->tid[p->nthreads], NULL, worker, p) == 0)
		p->nthreads++;
	*out = p;
	return 0;
}

void
pool_free(struct pool *p)
{
	unsigned i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->tid[i], NULL);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->idle);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

unsigned pool_threads(const struct pool *p) { return p ? p->nthreads + 1 : 1; }

void
pool_for(struct pool *p, size_t n, pool_fn fn, void *ctx)
{
	struct job j = { fn, ctx, n, 0 };
	size_t i;

	if (!p || p->nthreads == 0 || n < 2) {
		for (i = 0; i < n; i++)
			fn(ctx, i);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->job = &j;
	p->gen++;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	run(&j);
	/* Every index is taken; wait for the workers still running one, and
	 * let no late one pick up a loop about to leave the stack. */
	pthread_mutex_lock(&p->mu);
	while (p->busy > 0)
		pthread_cond_wait(&p->idle, &p->mu);
	p->job = NULL;
	pthread_mutex_unlock(&p->mu);
}
