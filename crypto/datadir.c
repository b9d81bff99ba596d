#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/datadir.h"

int
wisp_datadir(char *out, size_t outlen, const char *flag)
{
	const char *v;
	int n;

	if (flag && *flag)
		n = snprintf(out, outlen, "%s", flag);
	else if ((v = getenv("WISP_HOME")) && *v)
		n = snprintf(out, outlen, "%s", v);
	else if ((v = getenv("XDG_DATA_HOME")) && *v)
		n = snprintf(out, outlen, "%s/wisp", v);
	else if ((v = getenv("HOME")) && *v)
		n = snprintf(out, outlen, "%s/.local/share/wisp", v);
	else
		return WISP_ERR_NOTFOUND;
	return n < 0 || (size_t)n >= outlen ? WISP_ERR_TOOBIG : 0;
}

static int
own_dir(const char *path, int make)
{
	struct stat st;

	if (make && mkdir(path, 0700) != 0 && errno != EEXIST)
		return WISP_ERR_IO;
	if (lstat(path, &st) != 0)
		return make ? WISP_ERR_IO : WISP_ERR_NOTFOUND;
	/* another user's directory, or a link to one, would see the token */
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
		return WISP_ERR_IO;
	return 0;
}

int
wisp_runtime_dir(char *out, size_t outlen, const char *datadir, int make)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char real[PATH_MAX], base[PATH_MAX], id[17];
	uint8_t h[8];
	struct stat st;
	int n, rc;

	if (!realpath(datadir, real))
		snprintf(real, sizeof(real), "%s", datadir);
	crypto_generichash(h, sizeof(h), (const uint8_t *)real, strlen(real), NULL, 0);
	sodium_bin2hex(id, sizeof(id), h, sizeof(h));
	if (xdg && *xdg == '/' && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode))
		n = snprintf(base, sizeof(base), "%s/wisp", xdg);
	else if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode))
		n = snprintf(base, sizeof(base), "/dev/shm/wisp-%u", (unsigned)getuid());
	else
		return WISP_ERR_NOTFOUND;
	if (n < 0 || (size_t)n >= sizeof(base))
		return WISP_ERR_TOOBIG;
	if ((rc = own_dir(base, make)) != 0)
		return rc;
	n = snprintf(out, outlen, "%s/%s", base, id);
	if (n < 0 || (size_t)n >= outlen)
		return WISP_ERR_TOOBIG;
	return own_dir(out, make);
}

long
read_small_file(const char *path, void *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < cap) {
		ssize_t r = read(fd, (char *)buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return (long)got;
}

int
write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char tmp[PATH_MAX + 8];
	int fd, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0)
		return -1;
	if (fchmod(fd, (mode_t)mode) == 0 && write(fd, data, len) == (ssize_t)len && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		unlink(tmp);
	return rc;
}
