# SPDX-License-Identifier: GPL-2.0
#
# pgclass: the user's entry points.  `make` builds the modules against
# KDIR like any out-of-tree module; the other targets drive the test bed
# in tools/testing/vm, which builds its own debug kernel and boots it
# under QEMU (see docs/testing.md).

KDIR ?= /lib/modules/$(shell uname -r)/build
GUEST_EXTRA ?=
# pgclass.ko's parameters for make run (default: nr_pages=128).
RUN_PARAMS ?=
FUZZ_SECONDS ?= 120
PREFIX ?= /usr/local
DESTDIR ?=
# dkms.conf holds the one version number.
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# The kernel DKMS builds for: the running one unless told.
KVER ?= $(shell uname -r)
DKMS_SRC = /usr/src/pgclass-$(VERSION)

.PHONY: all modules clean check check-harness run vm lint bench fuzz \
	install uninstall dkms-install dkms-uninstall

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The module into /lib/modules/<release>/updates, pgclassctl into
# $(PREFIX)/bin, and the example udev rule and modprobe.d file.
install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	$(MAKE) -C tools/pgclassctl
	install -D -m 0755 tools/pgclassctl/pgclassctl $(DESTDIR)$(PREFIX)/bin/pgclassctl
	install -D -m 0644 dist/60-pgclass.rules $(DESTDIR)/etc/udev/rules.d/60-pgclass.rules
	install -D -m 0644 dist/pgclass.conf $(DESTDIR)/etc/modprobe.d/pgclass.conf
	@if [ -z "$(DESTDIR)" ]; then groupadd -f --system pgclass; fi

# Leaves the group "pgclass", as Debian leaves system groups.
uninstall:
	$(RM) $(DESTDIR)/lib/modules/$$(cat $(KDIR)/include/config/kernel.release)/updates/pgclass*.ko*
	@if [ -z "$(DESTDIR)" ]; then depmod -a $$(cat $(KDIR)/include/config/kernel.release); fi
	$(RM) $(DESTDIR)$(PREFIX)/bin/pgclassctl
	$(RM) $(DESTDIR)/etc/udev/rules.d/60-pgclass.rules
	$(RM) $(DESTDIR)/etc/modprobe.d/pgclass.conf

# DKMS rebuilds the module for each kernel installed later.
dkms-install:
	@tools/testing/vm/deps.sh dkms
	$(RM) -r $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -a Kbuild Makefile dkms.conf src include kunit_tests $(DKMS_SRC)/
	dkms add -m pgclass -v $(VERSION)
	dkms build -m pgclass -v $(VERSION) -k $(KVER)
	dkms install -m pgclass -v $(VERSION) -k $(KVER)

dkms-uninstall:
	-dkms remove -m pgclass -v $(VERSION) --all
	$(RM) -r $(DKMS_SRC)

# pgclass against glibc, jemalloc, mimalloc, kmalloc and gen_pool.
bench:
	@tools/bench/bench.sh

# libFuzzer on the user-space build of src/core.c; FUZZ_SECONDS bounds it.
fuzz:
	@FUZZ_SECONDS="$(FUZZ_SECONDS)" tools/testing/user/fuzz/fuzz.sh

# Build gates: W=1 on three kernels, sparse, checkpatch, kernel-doc, DKMS.
lint:
	@scripts/lint.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(RM) -r build
	-$(MAKE) -s -C tools/testing/user clean 2>/dev/null
	-$(MAKE) -s -C tools/testing/user/malloc clean 2>/dev/null
	-$(MAKE) -s -C tools/pgclassctl clean 2>/dev/null

# Every test, from nothing; last line `N passed, N failed`.
check:
	@GUEST_EXTRA="$(GUEST_EXTRA)" tools/testing/vm/check.sh

# Proves that each kind of failure turns a run red.
check-harness:
	@tools/testing/vm/check-harness.sh

# The lab's scenario in the guest, through pgclassctl.
run:
	@RUN_PARAMS="$(RUN_PARAMS)" tools/testing/vm/run.sh

# An interactive shell in the guest with pgclass.ko loaded.
vm:
	@tools/testing/vm/guest.sh vm
