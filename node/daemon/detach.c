/* Going into the background: fork, wait for readiness, and hand stdio to
 * the log; the address files that say the node is ready. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "node/base/datadir.h"
#include "node/base/log.h"
#include "node/base/node.h"
#include "node/base/vault.h"
#include "node/daemon/detach.h"

int
daemon_fork(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 && c == 'R' ? 0 : 1);
	}
	close(p[0]);
	setsid();
	return p[1];
}

static void
detach_stdio(const struct node *n)
{
	char path[PATH_MAX + 16];
	int fd, log = -1;

	/* a protected node's log stays in RAM: it names peers' addresses */
	snprintf(path, sizeof(path), "%s/wispd.log", *vault_runtime(n) ? vault_runtime(n) : n->datadir);
	log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(log >= 0 ? log : fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_init((enum log_level)n->conf.log_level, log);
}

int
daemon_ready(struct node *n, int lock_fd, int ready_fd)
{
	char pid[32];
	int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

	if (datadir_write_addr(n, "node.addr", n->node_addr) != 0 ||
	    datadir_write_addr(n, "api.addr", n->api_addr) != 0) {
		fprintf(stderr, "wispd: cannot write address files in %s: %s\n", n->datadir, strerror(errno));
		return -1;
	}
	if (ftruncate(lock_fd, 0) == 0 && pwrite(lock_fd, pid, (size_t)len, 0) != len)
		log_warn("writing pid to lock file");
	{
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "%s/wispd.pid", n->datadir);
		if (write_file_atomic(path, pid, (size_t)len, 0644) != 0)
			log_warn("writing %s", path);
	}
	if (ready_fd >= 0) {
		/* the last words on the terminal before it goes */
		fprintf(stderr, "wispd: running as pid %d: API and gateway on http://%s/, peers on %s\n"
		    "wispd: data in %s, log in %s/wispd.log; wisp stop stops it\n", (int)getpid(), n->api_addr,
		    n->node_addr, n->datadir, *vault_runtime(n) ? vault_runtime(n) : n->datadir);
		detach_stdio(n);
	}
	log_info("ready: peers on %s, API on %s", n->node_addr, n->api_addr);
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			return -1;
		close(ready_fd);
	}
	return 0;
}
