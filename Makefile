# SPDX-License-Identifier: GPL-2.0
#
# pgclass: the user's entry points.  `make` builds the modules against
# KDIR like any out-of-tree module; the other targets drive the test bed
# in tools/vm, which builds its own debug kernel and boots it under QEMU
# (see README.md).

KDIR ?= /lib/modules/$(shell uname -r)/build
GUEST_EXTRA ?=

.PHONY: all modules clean check check-harness run vm

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(RM) -r build
	-$(MAKE) -s -C tools/testing/user clean 2>/dev/null
	-$(MAKE) -s -C tools/pgclassctl clean 2>/dev/null

# Every test, from nothing; last line `N passed, N failed`.
check:
	@GUEST_EXTRA="$(GUEST_EXTRA)" tools/vm/check.sh

# Proves that each kind of failure turns a run red.
check-harness:
	@tools/vm/check-harness.sh

# The lab's scenario in the guest, through pgclassctl.
run:
	@tools/vm/run.sh

# An interactive shell in the guest with pgclass.ko loaded.
vm:
	@tools/vm/guest.sh vm
