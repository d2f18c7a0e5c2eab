# SPDX-License-Identifier: GPL-2.0
# Shared settings for the tools/testing/vm scripts; sourced, never run.
#
# Everything the test bed builds outside the clone lives under
# $PGCLASS_CACHE, so a fresh clone (CI's, or a second checkout) reuses
# the 10-minute kernel build instead of repeating it.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$VM_DIR/../../.." && pwd)
PGCLASS_CACHE=${PGCLASS_CACHE:-$HOME/.cache/pgclass}
KSRC_PKG=linux-source-6.12
KSRC_TARBALL=/usr/src/$KSRC_PKG.tar.xz
# The debug kernel's config: the test bed's own fragment, then what the
# selftests ask of any kernel they run on (kselftest's config file).
FRAGMENTS=("$VM_DIR/kernel.config"
	   "$TOP_DIR/tools/testing/selftests/pgclass/config")
# Bump when build-kernel.sh changes how the tree is built.
BUILD_SCHEME=1

log() { printf '[vm] %s\n' "$*" >&2; }
die() { printf '[vm] error: %s\n' "$*" >&2; exit 1; }

# fragment_options FILE...: the lines of kernel config fragments that set
# or unset an option, in order.
fragment_options() {
	grep -hE '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$@"
}

# host_color FD: set PGCLASS_COLOR to "always" when FD is a terminal a
# person reads in colour, else to "never".  `make run > file` must get
# plain text; NO_COLOR is honoured as no-color.org has it, and TERM=dumb
# as less(1) does.  It sets a variable rather than printing the answer:
# inside $(...) file descriptor 1 is the substitution's pipe, never the
# terminal.
host_color() {
	if [ -t "$1" ] && [ -z "${NO_COLOR:-}" ] && [ "${TERM:-dumb}" != dumb ]; then
		PGCLASS_COLOR=always
	else
		PGCLASS_COLOR=never
	fi
}

# The cache directory of the debug kernel: one per source version,
# set of options and build scheme, so a change to any of them builds
# afresh.  Only the option lines count: rewording a comment in a
# fragment must not cost a 10-minute build.
kernel_dir() {
	local ver frag
	ver=$(dpkg-query -W -f='${Version}' "$KSRC_PKG" 2>/dev/null) ||
		die "$KSRC_PKG is not installed: run tools/testing/vm/deps.sh"
	frag=$( { fragment_options "${FRAGMENTS[@]}"; echo "scheme $BUILD_SCHEME"; } |
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
