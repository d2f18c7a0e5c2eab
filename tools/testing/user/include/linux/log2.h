/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: include/linux/log2.h, the parts core.c uses. */
#ifndef _SHIM_LINUX_LOG2_H
#define _SHIM_LINUX_LOG2_H

#include <linux/bitops.h>

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

#define ilog2(n)	((int)(BITS_PER_LONG - 1 - __builtin_clzl(n)))

#endif
