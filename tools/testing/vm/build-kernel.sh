#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug test kernel (6.12, tinyconfig + kernel.config) once and
# cache it; print the tree's path on standard output.
#
# The tree stays whole in the cache: external modules are built against
# it (they need its Module.symvers and generated headers), and its
# scripts/ and tools/testing/ serve checkpatch, kunit.py and the
# kselftest harness.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$(kernel_dir)
stamp=$dir/.pgclass-built
if [ -f "$stamp" ]; then
	log "kernel: cached in $dir"
	echo "$dir"
	exit 0
fi

mkdir -p "$PGCLASS_CACHE"
# Two builds at once (make check in two clones) would trample each other.
exec 9>"$PGCLASS_CACHE/.build-kernel.lock"
flock 9
if [ -f "$stamp" ]; then
	echo "$dir"
	exit 0
fi

[ -f "$KSRC_TARBALL" ] || die "$KSRC_TARBALL missing: run tools/testing/vm/deps.sh"
log "kernel: building in $dir (about 10 minutes on 2 cores; once)"
rm -rf "$dir"
mkdir -p "$dir"
tar -xf "$KSRC_TARBALL" -C "$dir" --strip-components=1

buildlog=$dir/build.log
kmake() { make -C "$dir" ARCH=x86_64 "$@" >>"$buildlog" 2>&1; }
kmake tinyconfig
(cd "$dir" && ARCH=x86_64 scripts/kconfig/merge_config.sh -m .config \
	"${FRAGMENTS[@]}") >>"$buildlog" 2>&1
kmake olddefconfig

# Every option the fragments ask for must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF -- "$line" "$dir/.config" || {
			log "config: '$line' did not take (got: $(grep -E "^(# )?${line%%=*}[= ]" "$dir/.config" || echo unset))"
			bad=1
		} ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -q "^$opt=" "$dir/.config"; then
			log "config: '$line' did not take"
			bad=1
		fi ;;
	esac
done < <(fragment_options "${FRAGMENTS[@]}")
[ $bad -eq 0 ] || die "kernel config: requested options were dropped (see above)"

if ! kmake -j"$(nproc)" bzImage modules; then
	tail -40 "$buildlog" >&2
	die "kernel build failed; full log in $buildlog"
fi
touch "$stamp"
log "kernel: built $dir/arch/x86/boot/bzImage"

# Keep this tree and the one before it (a checkout of an older commit may
# still want it); older ones only fill the disk, about 3 GB each.
ls -1dt "$PGCLASS_CACHE"/kernel-*/.pgclass-built 2>/dev/null | tail -n +3 |
	while read -r old; do
		log "kernel: removing old tree ${old%/.pgclass-built}"
		rm -rf "${old%/.pgclass-built}"
	done
echo "$dir"
