/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: include/linux/math.h, the parts core.c uses. */
#ifndef _SHIM_LINUX_MATH_H
#define _SHIM_LINUX_MATH_H

/* Like the kernel's, but each argument evaluated once. */
#define DIV_ROUND_UP(n, d) ({				\
	__typeof__(d) __shim_d = (d);			\
	((n) + __shim_d - 1) / __shim_d; })

#endif
