/* askpass.h: reading a passphrase, shared by wispd and wisp. Never from a
 * command-line argument or the environment (both are visible to other
 * users' ps and to /proc): from the terminal without echo, from a file
 * descriptor a service manager opened, or from a systemd credential. */
#ifndef WISP_ASKPASS_H
#define WISP_ASKPASS_H

#include <stddef.h>

enum { ASKPASS_MAX = 1024 };

/* askpass_tty prompts on /dev/tty and reads a line with echo off. Returns
 * the length, or -1 (no terminal, or end of input). */
int askpass_tty(const char *prompt, char *out, size_t cap);
/* askpass_fd reads one line from |fd| (to a newline or the end), without
 * buffering past it, so a second call reads the next line. */
int askpass_fd(int fd, char *out, size_t cap);
/* askpass_credential reads $CREDENTIALS_DIRECTORY/|name| (systemd's
 * LoadCredential=), its first line. -1 if there is none. */
int askpass_credential(const char *name, char *out, size_t cap);

/* askpass_get: from |fd| if it is not -1, else the credential
 * "wisp-passphrase", else |prompt| on the terminal (|tty| set). */
int askpass_get(int fd, const char *prompt, char *out, size_t cap, int *tty);
/* askpass_new asks |prog| ("wispd: ", "wisp: ") for a new passphrase:
 * twice on the terminal, up to three times; never an empty one. Says why
 * on stderr and returns -1 when it gets none. */
int askpass_new(int fd, const char *prog, const char *what, char *out, size_t cap);

#endif
