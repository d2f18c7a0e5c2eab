/* SPDX-License-Identifier: GPL-2.0 */
/* User-space shim: static_assert() is C11's, from <assert.h>. */
#ifndef _SHIM_LINUX_BUILD_BUG_H
#define _SHIM_LINUX_BUILD_BUG_H

#include <assert.h>

#endif
