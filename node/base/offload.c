/* offload.c: one worker thread and a queue each way (offload.h). The
 * worker wakes the loop through an eventfd. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "node/base/log.h"
#include "node/base/offload.h"

struct job {
	offload_fn work, done;
	void *arg;
	struct job *next;
};

struct queue {
	struct job *head, **tail;
};

struct offload {
	pthread_mutex_t mu;
	pthread_cond_t more;
	pthread_t tid;
	struct queue todo, done;
	int stop, efd;
	struct event *ev;
};

static void
push(struct queue *q, struct job *j)
{
	j->next = NULL;
	*q->tail = j;
	q->tail = &j->next;
}

static struct job *
pop(struct queue *q)
{
	struct job *j = q->head;

	if (j && !(q->head = j->next))
		q->tail = &q->head;
	return j;
}

static void *
worker(void *arg)
{
	struct offload *o = arg;
	const uint64_t one = 1;
	struct job *j;

	pthread_mutex_lock(&o->mu);
	for (;;) {
		while (!o->stop && !o->todo.head)
			pthread_cond_wait(&o->more, &o->mu);
		if (!(j = pop(&o->todo)))
			break; /* stopping, and nothing is left */
		pthread_mutex_unlock(&o->mu);
		j->work(j->arg);
		pthread_mutex_lock(&o->mu);
		push(&o->done, j);
		/* a full counter (never, at 2^64 - 2) only means the loop is awake */
		while (write(o->efd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

/* complete runs the completions of what is done, in order. */
static void
complete(struct offload *o)
{
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&o->mu);
		j = pop(&o->done);
		pthread_mutex_unlock(&o->mu);
		if (!j)
			return;
		j->done(j->arg);
		free(j);
	}
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
	uint64_t v;

	(void)what;
	while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	complete(arg);
}

int
offload_new(struct offload **out, struct event_base *base)
{
	struct offload *o = calloc(1, sizeof(*o));

	if (!o)
		return -1;
	o->todo.tail = &o->todo.head;
	o->done.tail = &o->done.head;
	o->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->efd < 0 || !(o->ev = event_new(base, o->efd, EV_READ | EV_PERSIST, on_wake, o)) ||
	    event_add(o->ev, NULL) != 0 || pthread_mutex_init(&o->mu, NULL) != 0) {
		if (o->ev)
			event_free(o->ev);
		if (o->efd >= 0)
			close(o->efd);
		free(o);
		return -1;
	}
	if (pthread_cond_init(&o->more, NULL) != 0 || pthread_create(&o->tid, NULL, worker, o) != 0) {
		log_warnx("offload: cannot start a thread");
		pthread_mutex_destroy(&o->mu);
		event_free(o->ev);
		close(o->efd);
		free(o);
		return -1;
	}
	*out = o;
	return 0;
}

int
offload_run(struct offload *o, offload_fn work, offload_fn done, void *arg)
{
	struct job *j = malloc(sizeof(*j));

	if (!j)
		return -1;
	*j = (struct job){ work, done, arg, NULL };
	pthread_mutex_lock(&o->mu);
	push(&o->todo, j);
	pthread_cond_signal(&o->more);
	pthread_mutex_unlock(&o->mu);
	return 0;
}

void
offload_free(struct offload *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->mu);
	o->stop = 1;
	pthread_cond_signal(&o->more);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->tid, NULL); /* the worker leaves once todo is empty */
	complete(o);
	event_free(o->ev);
	close(o->efd);
	pthread_cond_destroy(&o->more);
	pthread_mutex_destroy(&o->mu);
	free(o);
}
