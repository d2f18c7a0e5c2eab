/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: READ_ONCE() and WRITE_ONCE() as relaxed atomics, which
 * is what they are in the kernel's memory model, so that ThreadSanitizer
 * sees them as the marked accesses they are.
 */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

#include <linux/compiler_attributes.h>

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#ifndef fallthrough
#define fallthrough		__shim_attribute(__fallthrough__)
#endif

#endif
