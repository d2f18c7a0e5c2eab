#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build what the guest runs, against the tree it boots:
#   OUT/modules/   pgclass.ko, and where the kernel has KUnit
#                  pgclass_kunit.ko and pgclass_harness.ko
#   OUT/bin/       pgclassctl (static)
#   OUT/selftests/ the kselftest-harness programs (static)
#
#   tools/testing/vm/build-guest.sh KDIR OUT [KSRC]
#
# KSRC is a full kernel source tree for the kselftest harness header
# (default KDIR; a headers package lacks tools/testing/).
#
# The modules are built from a copy of the sources under OUT, so the
# checkout stays free of kbuild output and a build here never races an
# editor's in-place `make`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=${1:?usage: build-guest.sh KDIR OUT}
out=${2:?usage: build-guest.sh KDIR OUT}
ksrc=${3:-$kdir}
jobs=$(nproc)

rm -rf "$out/kmod" "$out/modules" "$out/bin" "$out/selftests"
mkdir -p "$out/kmod" "$out/modules" "$out/bin" "$out/selftests"

log "guest: building modules against $kdir"
(cd "$TOP_DIR" && cp -a Kbuild src include kunit_tests "$out/kmod/")
cp -a "$VM_DIR/harness" "$out/kmod/harness"
for m in "$out/kmod" "$out/kmod/harness"; do
	if ! make -C "$kdir" M="$m" -j"$jobs" W=1 modules >"$m.log" 2>&1; then
		cat "$m.log" >&2
		die "module build failed in $m"
	fi
	# W=1 warnings are errors for us: the lint gate says no warnings.
	if grep -E '(warning|error):' "$m.log" >&2; then
		die "module build in $m has warnings (see above)"
	fi
done
# pgclass_kunit.ko and pgclass_harness.ko exist only where KUnit does.
cp "$out/kmod/pgclass.ko" "$out/modules/"
for ko in "$out/kmod/pgclass_kunit.ko" "$out/kmod/harness/pgclass_harness.ko"; do
	[ -f "$ko" ] && cp "$ko" "$out/modules/"
done

log "guest: building static programs"
if [ -f "$TOP_DIR/tools/pgclassctl/Makefile" ]; then
	make -s -C "$TOP_DIR/tools/pgclassctl" O="$out/bin" STATIC=1 >&2
fi
if [ -f "$TOP_DIR/tools/testing/selftests/pgclass/Makefile" ]; then
	make -s -C "$TOP_DIR/tools/testing/selftests/pgclass" KSRC="$ksrc" \
		OUTPUT="$out/selftests" >&2
fi
