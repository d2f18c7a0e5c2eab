#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the gates a kernel maintainer would run before reading.
#   - the modules build with W=1 and no warning against the debug 6.12
#     test tree, Debian 12's stock 6.1 headers and its 6.12 headers;
#   - sparse (C=2) finds nothing;
#   - scripts/checkpatch.pl --strict is clean on every C file and header;
#   - scripts/kernel-doc is clean on include/ and on the exported API;
#   - DKMS builds and installs the module for Debian's 6.12 headers.
# Prints one line per gate and closes with `N passed, N failed`.
set -uo pipefail
. "$(dirname "$0")/../tools/testing/vm/lib.sh"

out=$TOP_DIR/build/lint
rm -rf "$out"
mkdir -p "$out"
counts=$out/counts
: >"$counts"

"$VM_DIR/deps.sh" vm lint dkms || exit 1
ktree=$("$VM_DIR/build-kernel.sh") || exit 1

gate() {	# gate NAME LOGFILE: green when the step passed and logged no warning
	local name=$1 logf=$2 rc=$3
	if [ "$rc" -eq 0 ] && ! grep -qE '(warning|error):' "$logf"; then
		echo "ok   lint/$name" | tee -a "$counts"
	else
		echo "FAIL lint/$name: see $logf" | tee -a "$counts"
		grep -E '(warning|error):' "$logf" | head -20 | sed 's/^/    /'
	fi
}

# Build from a copy so that the checkout gets no kbuild output.
kbuild() {	# kbuild NAME KDIR [make args...]
	local name=$1 kdir=$2 src=$out/$1
	shift 2
	mkdir -p "$src"
	(cd "$TOP_DIR" && cp -a Kbuild src include kunit_tests "$src/")
	make -C "$kdir" M="$src" -j"$(nproc)" W=1 "$@" modules \
		>"$out/$name.log" 2>&1
	gate "$name" "$out/$name.log" $?
}

newest() { ls -d $1 2>/dev/null | sort -V | tail -1; }

kbuild "build-6.12-debug-W1" "$ktree"
kbuild "sparse-6.12-debug" "$ktree" C=2
for pat in '/usr/src/linux-headers-6.1.*-amd64' \
	   '/usr/src/linux-headers-6.12.*-amd64'; do
	kdir=$(newest "$pat")
	if [ -z "$kdir" ]; then
		echo "FAIL lint/headers: nothing matches $pat" | tee -a "$counts"
		continue
	fi
	kbuild "build-$(basename "$kdir")-W1" "$kdir"
done

# DKMS must build the module against an installed Debian headers package.
kdir=$(newest '/usr/src/linux-headers-6.12.*-amd64')
if [ -n "$kdir" ]; then
	kver=${kdir#/usr/src/linux-headers-}
	make -C "$TOP_DIR" -s dkms-uninstall >/dev/null 2>&1
	if make -C "$TOP_DIR" dkms-install KVER="$kver" >"$out/dkms.log" 2>&1 &&
	   dkms status pgclass 2>/dev/null | grep -q "$kver.*installed"; then
		echo "ok   lint/dkms build and install for $kver" | tee -a "$counts"
	else
		echo "FAIL lint/dkms build for $kver: see $out/dkms.log" | tee -a "$counts"
		tail -20 "$out/dkms.log" | sed 's/^/    /'
	fi
	make -C "$TOP_DIR" -s dkms-uninstall >>"$out/dkms.log" 2>&1
fi

cd "$TOP_DIR"
mapfile -t cfiles < <(git ls-files '*.c' '*.h')
: >"$out/checkpatch.log"
for f in "${cfiles[@]}"; do
	"$ktree/scripts/checkpatch.pl" --strict --no-tree --quiet \
		--show-types -f "$f" >>"$out/checkpatch.log" 2>&1
done
if [ -s "$out/checkpatch.log" ]; then
	echo "FAIL lint/checkpatch --strict (${#cfiles[@]} files): see $out/checkpatch.log" |
		tee -a "$counts"
	head -40 "$out/checkpatch.log" | sed 's/^/    /'
else
	echo "ok   lint/checkpatch --strict (${#cfiles[@]} files)" | tee -a "$counts"
fi

mapfile -t docfiles < <(git ls-files 'include/*.h' src/core.c)
"$ktree/scripts/kernel-doc" -none -Wall "${docfiles[@]}" >"$out/kernel-doc.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$out/kernel-doc.log" ]; then
	echo "ok   lint/kernel-doc (${docfiles[*]})" | tee -a "$counts"
else
	echo "FAIL lint/kernel-doc: see $out/kernel-doc.log" | tee -a "$counts"
	head -20 "$out/kernel-doc.log" | sed 's/^/    /'
fi

python3 "$VM_DIR/verdict.py" total "$counts"
