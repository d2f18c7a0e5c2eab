/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgclass tracepoints: /sys/kernel/tracing/events/pgclass/.  Each event
 * prints name=value fields.  A pool is named by its id, a small number
 * given at creation, and a block by its offset from the start of the
 * pool's region or range: never a kernel address.  The user-space build
 * of src/core.c gets empty ones from tools/testing/user/include/.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pgclass

#if !defined(_TRACE_PGCLASS_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_PGCLASS_H

#include <linux/tracepoint.h>
#include <linux/types.h>

TRACE_EVENT(pgclass_alloc,
	    TP_PROTO(unsigned long call_site, unsigned int pool,
		     unsigned long offset, size_t bytes_req,
		     size_t bytes_alloc, bool cached),
	    TP_ARGS(call_site, pool, offset, bytes_req, bytes_alloc, cached),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(unsigned int, pool)
			     __field(unsigned long, offset)
			     __field(size_t, bytes_req)
			     __field(size_t, bytes_alloc)
			     __field(bool, cached)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->pool = pool;
			   __entry->offset = offset;
			   __entry->bytes_req = bytes_req;
			   __entry->bytes_alloc = bytes_alloc;
			   __entry->cached = cached;),
	    TP_printk("call_site=%pS pool=%u offset=%#lx bytes_req=%zu bytes_alloc=%zu cached=%d",
		      (void *)__entry->call_site, __entry->pool,
		      __entry->offset, __entry->bytes_req,
		      __entry->bytes_alloc, __entry->cached));

TRACE_EVENT(pgclass_free,
	    TP_PROTO(unsigned long call_site, unsigned int pool,
		     unsigned long offset, bool cached),
	    TP_ARGS(call_site, pool, offset, cached),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(unsigned int, pool)
			     __field(unsigned long, offset)
			     __field(bool, cached)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->pool = pool;
			   __entry->offset = offset;
			   __entry->cached = cached;),
	    TP_printk("call_site=%pS pool=%u offset=%#lx cached=%d",
		      (void *)__entry->call_site, __entry->pool,
		      __entry->offset, __entry->cached));

TRACE_EVENT(pgclass_realloc,
	    TP_PROTO(unsigned long call_site, unsigned int pool,
		     unsigned long offset, unsigned long new_offset,
		     size_t bytes_req, size_t bytes_alloc, bool in_place),
	    TP_ARGS(call_site, pool, offset, new_offset, bytes_req,
		    bytes_alloc, in_place),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(unsigned int, pool)
			     __field(unsigned long, offset)
			     __field(unsigned long, new_offset)
			     __field(size_t, bytes_req)
			     __field(size_t, bytes_alloc)
			     __field(bool, in_place)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->pool = pool;
			   __entry->offset = offset;
			   __entry->new_offset = new_offset;
			   __entry->bytes_req = bytes_req;
			   __entry->bytes_alloc = bytes_alloc;
			   __entry->in_place = in_place;),
	    TP_printk("call_site=%pS pool=%u offset=%#lx new_offset=%#lx bytes_req=%zu bytes_alloc=%zu in_place=%d",
		      (void *)__entry->call_site, __entry->pool,
		      __entry->offset, __entry->new_offset,
		      __entry->bytes_req, __entry->bytes_alloc,
		      __entry->in_place));

/*
 * @reason is src/core.c's enum pgc_bad, printed by name: no string is
 * copied into the event, so __assign_str(), which lost an argument in
 * 6.10, is not needed, and the event reads the same on 6.1 and 6.12.
 */
TRACE_EVENT(pgclass_bad_free,
	    TP_PROTO(unsigned long call_site, unsigned int pool,
		     unsigned long offset, int reason),
	    TP_ARGS(call_site, pool, offset, reason),
	    TP_STRUCT__entry(__field(unsigned long, call_site)
			     __field(unsigned int, pool)
			     __field(unsigned long, offset)
			     __field(int, reason)),
	    TP_fast_assign(__entry->call_site = call_site;
			   __entry->pool = pool;
			   __entry->offset = offset;
			   __entry->reason = reason;),
	    TP_printk("call_site=%pS pool=%u offset=%#lx reason=%s",
		      (void *)__entry->call_site, __entry->pool,
		      __entry->offset,
		      __print_symbolic(__entry->reason,
				       { 1, "outside_pool" },
				       { 2, "in_metadata" },
				       { 3, "not_first_page" },
				       { 4, "not_block_start" },
				       { 5, "not_allocated" })));

/*
 * A CPU's slot took a page of @class on which @count blocks were free
 * (refill), or gave back one on which @count blocks were free (flush).
 */
DECLARE_EVENT_CLASS(pgclass_cache,
		    TP_PROTO(unsigned int pool, unsigned int cpu,
			     unsigned int class, unsigned int count),
		    TP_ARGS(pool, cpu, class, count),
		    TP_STRUCT__entry(__field(unsigned int, pool)
				     __field(unsigned int, cpu)
				     __field(unsigned int, class)
				     __field(unsigned int, count)),
		    TP_fast_assign(__entry->pool = pool;
				   __entry->cpu = cpu;
				   __entry->class = class;
				   __entry->count = count;),
		    TP_printk("pool=%u cpu=%u class=%u count=%u",
			      __entry->pool, __entry->cpu, __entry->class,
			      __entry->count));

DEFINE_EVENT(pgclass_cache, pgclass_cache_refill,
	     TP_PROTO(unsigned int pool, unsigned int cpu, unsigned int class,
		      unsigned int count),
	     TP_ARGS(pool, cpu, class, count));

DEFINE_EVENT(pgclass_cache, pgclass_cache_flush,
	     TP_PROTO(unsigned int pool, unsigned int cpu, unsigned int class,
		      unsigned int count),
	     TP_ARGS(pool, cpu, class, count));

#endif /* _TRACE_PGCLASS_H */

/* This part must be outside the include guard. */
#include <trace/define_trace.h>
