# The rig for the NUMA page-migration patch series against Linux 6.12.
#   make run            build, boot the patched kernel, narrated demo
#   make test           deps, source, series, check, test kernel, kselftests
#   make test KERNEL=base   the same suite on the pristine kernel
#   make bench          base against patched, non-debug kernels, -icount
#   make stress         the stress campaign on the test kernel (DURATION=,
#                       SEED=, KERNEL=base for the control run)
#   make ksft-run       the quick loop: rebuild the kselftests of build/linux
#                       as it is and run them on the kernel already built
#   make userspace-test numactl, hwloc and man-pages from Debian's sources
#                       with userspace/, and the numactl and hwloc suites
#   make userspace-run  the quick loop: rebuild them, run the suites on the
#                       kernel already built
# See README.md.

KERNEL ?= patched
ifeq ($(filter $(KERNEL),base patched),)
$(error KERNEL must be base or patched, not '$(KERNEL)')
endif

TOP     := $(CURDIR)
# BUILD=DIR: another build directory (its linux/ tree, obj/, logs/), as the
# scripts take it.
BUILD   ?= $(TOP)/build
export BUILD
S       := $(TOP)/scripts
OBJ     := $(BUILD)/obj/test-$(KERNEL)
BZIMAGE := $(OBJ)/arch/x86/boot/bzImage
INITRD  := $(BUILD)/initramfs.cpio.gz
LOGS    := $(BUILD)/logs
TEST_TIMEOUT ?= 1800

# make stress: 20 minutes with a new seed unless told; make test runs a
# 2-minute campaign with a fixed seed after the kselftests.
DURATION ?= 1200
SEED ?= $(shell date +%s)
TEST_STRESS_DURATION := 120
TEST_STRESS_SEED := 1

# What the series adds.  The rig tells the guest which features the kernel
# must have (rig.features= on its command line, MIG_EXPECT_FEATURES for the
# tests): all of them on the patched kernel, so that a missing one fails
# instead of skipping, and none on the base kernel, where their tests skip
# and say so.  Without the list, the tests expect the features of any
# kernel built with CONFIG_NUMA_BALANCING, as a CI run of the tree would.
FEATURES := lazy pagecache nexttouch cpuset_lazy
comma := ,
space := $(eval) $(eval)
EXPECT_FEATURES := $(if $(filter patched,$(KERNEL)),$(FEATURES))
export RIG_CMDLINE := rig.features=$(subst $(space),$(comma),$(EXPECT_FEATURES)) $(RIG_CMDLINE)

DEPS := build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils \
	git ccache perl rsync qemu-system-x86 busybox-static numactl \
	libnuma-dev e2fsprogs coreutils gnuplot-nox python3 python3-ply python3-git

.PHONY: all deps source tree export check kernel ksft initramfs test run \
	bench stress shell ksft-run clean distclean userspace userspace-run \
	userspace-guest userspace-test

all: run

deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "==> apt-get install $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

source: deps
	@$(S)/get-source.sh

tree: source
	@$(S)/tree.sh

export:
	@$(S)/export.sh

check: tree
	@$(S)/check.sh
	@$(S)/bisect-check.sh

kernel: tree
	@$(S)/kernel.sh $(KERNEL) test

ksft: tree
	@$(S)/kselftest.sh

# numactl, hwloc and man-pages: Debian's sources with userspace/*/series
# (scripts/userspace.sh), built for the guest's /opt/mig, which the
# initramfs then carries.  Not a step of make test: a cold build takes
# about 16 minutes here and the suites 9 in the guest, which would take a
# cold make test past CI's 90 minutes; make userspace-test runs them.
userspace: deps
	@$(S)/userspace.sh

initramfs: ksft
	@$(S)/initramfs.sh $(BUILD)/ksft $(INITRD)

userspace-test: kernel userspace initramfs
	@$(MAKE) --no-print-directory userspace-guest

test: check kernel initramfs
	@rc=0; $(S)/guest.sh test $(BZIMAGE) $(INITRD) $(LOGS)/test-$(KERNEL) \
		$(TEST_TIMEOUT) || rc=$$?; \
	echo "==> kselftest results ($(KERNEL) kernel)"; \
	$(S)/ktap-summary.pl $(LOGS)/test-$(KERNEL)/output.log || rc=1; \
	$(S)/logcheck.sh $(LOGS)/test-$(KERNEL)/console.log || rc=1; \
	$(S)/stress.sh $(BZIMAGE) $(INITRD) $(LOGS)/stress-test-$(KERNEL) \
		$(TEST_STRESS_DURATION) $(TEST_STRESS_SEED) || rc=1; \
	exit $$rc

# numactl's and hwloc's suites in the guest (guest/userspace.sh).
userspace-guest:
	@rc=0; $(S)/guest.sh userspace $(BZIMAGE) $(INITRD) $(LOGS)/userspace-$(KERNEL) \
		$(TEST_TIMEOUT) || rc=$$?; \
	echo "==> numactl and hwloc test suites ($(KERNEL) kernel)"; \
	grep -E '^(FAIL|# )' $(LOGS)/userspace-$(KERNEL)/output.log || true; \
	$(S)/logcheck.sh $(LOGS)/userspace-$(KERNEL)/console.log || rc=1; \
	exit $$rc

# The quick loop for userspace/: rebuild the trees' builds as they are (no
# apt, no git am), repack, run the suites on the kernel already built.
userspace-run:
	@[ -f $(BZIMAGE) ] || { echo "error: no $(BZIMAGE): run make kernel KERNEL=$(KERNEL) once" >&2; exit 1; }
	@$(S)/userspace.sh build
	@$(S)/initramfs.sh $(BUILD)/ksft $(INITRD)
	@$(MAKE) --no-print-directory userspace-guest

# The contributor's loop: no apt, no make tree (build/linux is used as it
# is, uncommitted changes included), no make check, no kernel build, no
# stress campaign; make test stays what CI runs.  RIG_ARGS picks tests as
# for make test (RIG_ARGS=-t,migration:lazy_test make ksft-run).
ksft-run:
	@[ -f $(BZIMAGE) ] || { echo "error: no $(BZIMAGE): run make kernel KERNEL=$(KERNEL) once (and after changing kernel code)" >&2; exit 1; }
	@$(S)/kselftest.sh
	@$(S)/initramfs.sh $(BUILD)/ksft $(INITRD)
	@rc=0; $(S)/guest.sh test $(BZIMAGE) $(INITRD) $(LOGS)/ksft-$(KERNEL) \
		$(TEST_TIMEOUT) || rc=$$?; \
	echo "==> kselftest results ($(KERNEL) kernel, $(BZIMAGE))"; \
	$(S)/ktap-summary.pl $(LOGS)/ksft-$(KERNEL)/output.log || rc=1; \
	$(S)/logcheck.sh $(LOGS)/ksft-$(KERNEL)/console.log || rc=1; \
	exit $$rc

run: kernel initramfs
	@rc=0; $(S)/guest.sh run $(BZIMAGE) $(INITRD) $(LOGS)/run-$(KERNEL) 600 || rc=$$?; \
	$(S)/logcheck.sh $(LOGS)/run-$(KERNEL)/console.log || rc=1; \
	if [ $$rc = 0 ]; then echo "==> make run: every step placed the pages as expected"; \
	else echo "==> make run: FAILED"; fi; exit $$rc

bench: deps source tree initramfs
	@$(S)/bench.sh

stress: kernel initramfs
	@$(S)/stress.sh $(BZIMAGE) $(INITRD) $(LOGS)/stress-$(KERNEL) \
		$(DURATION) $(SEED)

shell: kernel initramfs
	@$(S)/guest.sh shell $(BZIMAGE) $(INITRD) $(LOGS)/shell-$(KERNEL)

clean:
	rm -rf $(BUILD)/obj $(BUILD)/ksft $(BUILD)/logs $(BUILD)/initramfs.*

distclean:
	rm -rf $(BUILD)
