/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: printk levels and pr_*() helpers.  Messages go to stderr
 * as TAP comments.  Every pr_warn*() call is counted, and the last one kept,
 * so that tests can assert that a bad free warned; pr_warn_ratelimited()
 * prints within the kernel's default limit (10 per 5 s per call site) and
 * counts the calls it suppresses, as ___ratelimit() does.  All of it is
 * under one lock (shim.c): threads may warn at once.
 */
#ifndef _SHIM_LINUX_PRINTK_H
#define _SHIM_LINUX_PRINTK_H

#include <linux/compiler_attributes.h>

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define LOGLEVEL_ERR		3
#define LOGLEVEL_WARNING	4
#define LOGLEVEL_INFO		6
#define LOGLEVEL_DEBUG		7

#define DEFAULT_RATELIMIT_INTERVAL_MS	5000
#define DEFAULT_RATELIMIT_BURST		10

struct shim_ratelimit {
	long long begin_ms;
	int printed;
	int missed;
};

__printf(2, 3)
int shim_printk(int level, const char *fmt, ...);
__printf(3, 4)
int shim_printk_ratelimited(struct shim_ratelimit *rs, int level,
			    const char *fmt, ...);

#define pr_err(fmt, ...) \
	shim_printk(LOGLEVEL_ERR, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) \
	shim_printk(LOGLEVEL_WARNING, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) \
	shim_printk(LOGLEVEL_INFO, pr_fmt(fmt), ##__VA_ARGS__)
/* Like the kernel without DEBUG: checked, never printed. */
#define pr_debug(fmt, ...) ({					\
	if (0)							\
		shim_printk(LOGLEVEL_DEBUG, pr_fmt(fmt), ##__VA_ARGS__); \
	0; })

#define pr_warn_ratelimited(fmt, ...) ({			\
	static struct shim_ratelimit _rs;			\
	shim_printk_ratelimited(&_rs, LOGLEVEL_WARNING,		\
				pr_fmt(fmt), ##__VA_ARGS__); })
#define pr_err_ratelimited(fmt, ...) ({				\
	static struct shim_ratelimit _rs;			\
	shim_printk_ratelimited(&_rs, LOGLEVEL_ERR,		\
				pr_fmt(fmt), ##__VA_ARGS__); })

#endif
