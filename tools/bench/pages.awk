#!/usr/bin/gawk -f
# SPDX-License-Identifier: GPL-2.0
#
# Reads the log of `valgrind --tool=lackey --trace-mem=yes pagetrace ALLOC`
# and prints, per kind of operation, the distinct 4 KiB pages each
# operation touched: in the pool's metadata pages, in its data pages, and
# elsewhere (the stack is left out: it is the caller's), with the
# instructions executed (less what the markers cost, from the "null" ops).
#
# Output, CSV: pages,ALLOC,KIND,OPS,META_MEAN,META_MAX,DESC_MEAN,DESC_MAX,
#              DATA_MEAN,DATA_MAX,OTHER_MEAN,OTHER_MAX,INSTR_MEAN,INSTR_MAX
# DESC counts the metadata pages other than the pool's first (which holds
# its header: lock, class lists, counters); OTHER is the program's own
# read-only data (switch tables) and, for copies, libc's memcpy dispatch.
# gawk, not mawk: strtonum() reads the hex addresses.

function classify(addr,    off) {
	# Anything within 8 MiB below the driver's frame is the stack.
	if (addr <= sp + 65536 && addr >= sp - 8388608)
		return
	if (addr >= base && addr < base + size) {
		off = int((addr - base) / 4096)
		if (off < meta)
			m[off] = 1
		else
			d[off] = 1
	} else {
		o[int(addr / 4096)] = 1
	}
}

function count(a,    k, n) {
	n = 0
	for (k in a)
		n++
	return n
}

function add(kind, what, v) {
	sum[kind, what] += v
	if (!((kind, what) in max) || v > max[kind, what])
		max[kind, what] = v
}

$1 ~ /^\*\*[0-9]+\*\*$/ && $2 == "PTR" {
	alloc = $3
	base = strtonum("0x" $4)
	size = strtonum("0x" $5)
	meta = $6 + 0
	sp = strtonum("0x" $7)
	next
}

$1 ~ /^\*\*[0-9]+\*\*$/ && $2 == "PTB" {
	inop = 1
	instr = 0
	delete m
	delete d
	delete o
	next
}

$1 ~ /^\*\*[0-9]+\*\*$/ && $2 == "PTE" { inop = 0; next }

$1 ~ /^\*\*[0-9]+\*\*$/ && $2 == "PTK" {
	kind = $3
	if (!(kind in ops))
		kinds[++nkinds] = kind
	ops[kind]++
	add(kind, "meta", count(m))
	add(kind, "desc", count(m) - (0 in m))
	add(kind, "data", count(d))
	add(kind, "other", count(o))
	add(kind, "instr", instr)
	next
}

!inop { next }

$1 == "I" { instr++; next }

$1 == "L" || $1 == "S" || $1 == "M" {
	split($2, f, ",")
	a = strtonum("0x" f[1])
	classify(a)
	classify(a + f[2] - 1)
}

END {
	if (!alloc || !("null" in ops)) {
		print "pages.awk: no markers in the trace" > "/dev/stderr"
		exit 1
	}
	marker = sum["null", "instr"] / ops["null"]
	for (i = 1; i <= nkinds; i++) {
		k = kinds[i]
		n = ops[k]
		printf "pages,%s,%s,%d,%.2f,%d,%.2f,%d,%.2f,%d,%.2f,%d,%.1f,%d\n", \
			alloc, k, n, sum[k, "meta"] / n, max[k, "meta"], \
			sum[k, "desc"] / n, max[k, "desc"], \
			sum[k, "data"] / n, max[k, "data"], \
			sum[k, "other"] / n, max[k, "other"], \
			sum[k, "instr"] / n - marker, max[k, "instr"] - marker
	}
}
