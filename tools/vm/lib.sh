# SPDX-License-Identifier: GPL-2.0
# Shared settings for the tools/vm scripts; sourced, never run.
#
# Everything the test bed builds outside the clone lives under
# $PGCLASS_CACHE, so a fresh clone (CI's, or a second checkout) reuses
# the 10-minute kernel build instead of repeating it.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$VM_DIR/../.." && pwd)
PGCLASS_CACHE=${PGCLASS_CACHE:-$HOME/.cache/pgclass}
KSRC_PKG=linux-source-6.12
KSRC_TARBALL=/usr/src/$KSRC_PKG.tar.xz
FRAGMENT=$VM_DIR/kernel.config
# Bump when build-kernel.sh changes how the tree is built.
BUILD_SCHEME=1

log() { printf '[vm] %s\n' "$*" >&2; }
die() { printf '[vm] error: %s\n' "$*" >&2; exit 1; }

# The cache directory of the debug kernel: one per source version,
# fragment and build scheme, so a change to any of them builds afresh.
kernel_dir() {
	local ver frag
	ver=$(dpkg-query -W -f='${Version}' "$KSRC_PKG" 2>/dev/null) ||
		die "$KSRC_PKG is not installed: run tools/vm/deps.sh"
	frag=$( { cat "$FRAGMENT"; echo "scheme $BUILD_SCHEME"; } |
		sha256sum | cut -c1-12)
	echo "$PGCLASS_CACHE/kernel-$ver-$frag"
}

# The tree to build modules against and boot: the debug kernel unless
# KDIR_GUEST names another (already built) tree.
guest_kdir() {
	if [ -n "${KDIR_GUEST:-}" ]; then
		echo "$KDIR_GUEST"
	else
		kernel_dir
	fi
}
