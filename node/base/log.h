/* log.h: the daemon's log, after OpenBSD's log.h. Never log keys, URIs,
 * plaintext or what a local client asked for above debug level. */
#ifndef WISP_LOG_H
#define WISP_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_DEBUG = 0, LOG_LVL_INFO = 1, LOG_LVL_WARN = 2, LOG_LVL_ERROR = 3 };

/* log_init: to stderr when |fd| < 0, else to |fd|. */
void log_init(enum log_level level, int fd);
int log_parse_level(const char *s, enum log_level *out);
void log_set_level(enum log_level level);
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends strerror(errno). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_ratelim: at most |per_min| lines a minute for |*bucket|; the count
 * of those dropped is reported with the next line let through. */
struct log_rate { long minute; unsigned n, dropped; };
void log_ratelim(struct log_rate *bucket, unsigned per_min, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* fatal / fatalx: start-up failures only, never on peer or client input. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
