/* detach.h: wispd in the background, and the moment it is ready. */
#ifndef WISP_DETACH_H
#define WISP_DETACH_H

struct node;

/* daemon_fork forks; the parent waits until the child is ready (or has
 * failed and said why on the inherited stderr) and exits accordingly. The
 * child gets the pipe to say it is ready on, or -1 on failure. */
int daemon_fork(void);
/* daemon_ready writes node.addr, api.addr and the pid, then (with
 * |ready_fd| from daemon_fork) moves stdio to the log and releases the
 * parent. Only then is the node ready (DESIGN: command-line contract). */
int daemon_ready(struct node *n, int lock_fd, int ready_fd);

#endif
