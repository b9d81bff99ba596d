/* askpass.c: passphrases from the terminal, a descriptor or a credential. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "crypto/askpass.h"

int
askpass_fd(int fd, char *out, size_t cap)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n + 1 < cap)
			out[n++] = c;
	}
	if (n && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return n || c == '\n' ? (int)n : -1;
}

int
askpass_tty(const char *prompt, char *out, size_t cap)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC), n, echo_off;

	if (fd < 0)
		return -1;
	if (write(fd, prompt, strlen(prompt)) < 0) {
		close(fd);
		return -1;
	}
	echo_off = tcgetattr(fd, &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	n = askpass_fd(fd, out, cap);
	if (echo_off)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	return n;
}

int
askpass_credential(const char *name, char *out, size_t cap)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char path[4096];
	int fd, n;

	if (!dir || !*dir || snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = askpass_fd(fd, out, cap);
	close(fd);
	return n;
}

int
askpass_get(int fd, const char *prompt, char *out, size_t cap, int *tty)
{
	int k;

	*tty = 0;
	if (fd >= 0)
		return askpass_fd(fd, out, cap);
	if ((k = askpass_credential("wisp-passphrase", out, cap)) >= 0)
		return k;
	*tty = 1;
	return askpass_tty(prompt, out, cap);
}

int
askpass_new(int fd, const char *prog, const char *what, char *out, size_t cap)
{
	char again[ASKPASS_MAX], prompt[4200];
	int tty, k, tries;

	for (tries = 0; tries < 3; tries++) {
		snprintf(prompt, sizeof(prompt), "%sa new passphrase for %s: ", prog, what);
		if ((k = askpass_get(fd, prompt, out, cap, &tty)) < 0) {
			fprintf(stderr, "%sa passphrase is needed: run on a terminal, or give --passphrase-fd N or the "
			    "systemd credential wisp-passphrase\n", prog);
			return -1;
		}
		if (k == 0) {
			fprintf(stderr, "%san empty passphrase protects nothing\n", prog);
			if (!tty)
				return -1;
			continue;
		}
		if (!tty)
			return k;
		snprintf(prompt, sizeof(prompt), "%sthe same again: ", prog);
		if (askpass_tty(prompt, again, sizeof(again)) == k && strcmp(again, out) == 0) {
			memset(again, 0, sizeof(again));
			return k;
		}
		fprintf(stderr, "%sthe two differ\n", prog);
	}
	memset(again, 0, sizeof(again));
	return -1;
}
