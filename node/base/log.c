#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "node/base/log.h"

static enum log_level min_level = LOG_LVL_INFO;
static int log_fd = -1;

static void vlog(enum log_level lvl, const char *suffix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
vlog(enum log_level lvl, const char *suffix, const char *fmt, va_list ap)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char line[1024], ts[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (lvl < min_level)
		return;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s wispd[%d] %s: ", ts, (int)getpid(), names[lvl]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	n = (int)strlen(line);
	if (suffix && (size_t)n < sizeof(line) - 3)
		snprintf(line + n, sizeof(line) - (size_t)n, ": %s", suffix);
	n = (int)strlen(line);
	if ((size_t)n < sizeof(line) - 1)
		line[n++] = '\n';
	if (write(log_fd >= 0 ? log_fd : STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

static void
on_libevent_log(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

void
log_init(enum log_level level, int fd)
{
	min_level = level;
	log_fd = fd;
	event_set_log_callback(on_libevent_log);
}

void
log_set_level(enum log_level level)
{
	min_level = level;
}

int
log_parse_level(const char *s, enum log_level *out)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

#define DEFINE_LOG(name, lvl, with_errno)                    \
	void name(const char *fmt, ...)                      \
	{                                                    \
		int saved = errno;                           \
		va_list ap;                                  \
		va_start(ap, fmt);                           \
		vlog(lvl, with_errno ? strerror(saved) : NULL, fmt, ap); \
		va_end(ap);                                  \
		errno = saved;                               \
	}

DEFINE_LOG(log_debug, LOG_LVL_DEBUG, 0)
DEFINE_LOG(log_info, LOG_LVL_INFO, 0)
DEFINE_LOG(log_warnx, LOG_LVL_WARN, 0)
DEFINE_LOG(log_warn, LOG_LVL_WARN, 1)

void
log_ratelim(struct log_rate *b, unsigned per_min, const char *fmt, ...)
{
	long minute = (long)(time(NULL) / 60);
	char line[768];
	va_list ap;

	if (b->minute != minute) {
		b->minute = minute;
		b->n = 0;
	}
	if (b->n >= per_min) {
		b->dropped++;
		return;
	}
	b->n++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (b->dropped)
		log_warnx("%s (%u similar lines suppressed)", line, b->dropped);
	else
		log_warnx("%s", line);
	b->dropped = 0;
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
