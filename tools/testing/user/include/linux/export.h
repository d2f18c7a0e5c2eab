/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space shim: there is no module loader to export symbols to, so an
 * export only checks that the symbol exists.  The names are defined
 * through __shim_export() because checkpatch takes any line that reads
 * EXPORT_SYMBOL...(name) for an export that should follow its function.
 */
#ifndef _SHIM_LINUX_EXPORT_H
#define _SHIM_LINUX_EXPORT_H

#include <assert.h>

#define __shim_export(sym)	static_assert(sizeof(__typeof__(sym) *), #sym)
#define EXPORT_SYMBOL		__shim_export
#define EXPORT_SYMBOL_GPL	__shim_export

#endif
