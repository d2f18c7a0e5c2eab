/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: min() and max() that, like the kernel's, refuse operands
 * of different types (the pointer comparison warns, and -Werror fails).
 */
#ifndef _SHIM_LINUX_MINMAX_H
#define _SHIM_LINUX_MINMAX_H

#define __shim_cmp(x, y, op) ({			\
	__typeof__(x) _x = (x);			\
	__typeof__(y) _y = (y);			\
	(void)(&_x == &_y);			\
	_x op _y ? _x : _y; })

#define min(x, y)		__shim_cmp(x, y, <)
#define max(x, y)		__shim_cmp(x, y, >)
#define min_t(type, x, y)	__shim_cmp((type)(x), (type)(y), <)
#define max_t(type, x, y)	__shim_cmp((type)(x), (type)(y), >)

#endif
