/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: offsetof() and friends come from the C library. */
#ifndef _SHIM_LINUX_STDDEF_H
#define _SHIM_LINUX_STDDEF_H

#include_next <linux/stddef.h>
#include <stddef.h>

#endif
