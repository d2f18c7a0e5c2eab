#!/usr/bin/gawk -f
# SPDX-License-Identifier: GPL-2.0
#
# Reads a callgrind output file of pagetrace (--collect-atstart=no
# --combine-dumps=yes): one part per operation, named by its kind in the
# dump's trigger, whose summary is the instructions executed while
# collection was on.  Prints, per kind, the mean and the maximum, less the
# markers' own cost (the mean of the "null" parts).
#
# Output, CSV: instr,ALLOC,KIND,OPS,MEAN,MAX

/^desc: Trigger: Client Request: / { kind = $5; next }

/^summary: / {
	if (kind == "")
		next
	v = $2 + 0
	if (!(kind in ops))
		kinds[++nkinds] = kind
	ops[kind]++
	sum[kind] += v
	if (!(kind in max) || v > max[kind])
		max[kind] = v
	kind = ""
}

END {
	if (!("null" in ops)) {
		print "callgrind.awk: no null parts" > "/dev/stderr"
		exit 1
	}
	marker = sum["null"] / ops["null"]
	for (i = 1; i <= nkinds; i++) {
		k = kinds[i]
		printf "instr,%s,%s,%d,%.1f,%d\n", alloc, k, ops[k], \
			sum[k] / ops[k] - marker, max[k] - marker
	}
}
