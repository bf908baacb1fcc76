# ipsec_tun top-level build. See README.md.
#   make            module (kmod/ipsec_tun.ko) + userspace (build/bin/*)
#   make check      setup, build, unit tests, VM tests on the 6.1 kernel
#   make check-6.12 the VM tests on the 6.12 kernel as well
#   make check-full check, every algorithm in the VM matrices, on 6.1 and 6.12
#   make demo       two sites talking through ipsec0 in the VM
#   make bench      benchmarks -> Documentation/performance.md
#   make fuzz       libFuzzer targets (scripts/fuzz)
#   make install    PREFIX=/usr/local DESTDIR= : binaries, unit, man pages,
#                   completion, the module for KVER (default: running kernel)
#   make uninstall  remove what make install put there
#   make dkms-install  the module's source under /usr/src/ipsec-tun-VERSION,
#                   registered with dkms and built + installed for KVER
#                   (default: running kernel) and every later kernel
#   make dkms-uninstall  dkms remove, and the source tree
#   make deb        build/deb/ipsec-tun_*.deb and ipsec-tun-dkms_*.deb
#   make vmtest VMTEST_ARGS="--filter '01*'"   a subset of the VM scenarios
SHELL := /bin/bash
BUILD ?= build
# Two cores are shared by everyone on these machines: never more than -j2.
JOBS ?= 2
PREFIX ?= /usr/local
VERSION := $(shell cat VERSION)
VMTEST_ARGS ?=

.PHONY: all kmod userspace setup check check-full unit vmtest check-6.12 demo bench fuzz clean format \
	install uninstall dkms-source dkms-install dkms-uninstall deb

all: kmod userspace

setup:
	@scripts/setup

kmod:
	@$(MAKE) --no-print-directory -C kmod $(if $(KVER),KVER=$(KVER))

# The CMake tree in $(BUILD), configured (userspace and deb share it).
CMAKE_CONFIGURE := cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

userspace:
	@$(CMAKE_CONFIGURE) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) -- --no-print-directory
	@ln -sf $(BUILD)/compile_commands.json compile_commands.json

unit: userspace
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

vmtest: all
	@scripts/vm-tests --kernel 6.1 $(VMTEST_ARGS)

check: setup
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory vmtest

# Every algorithm in the data-path and XFRM-interop matrices and every
# "vm-suite: full" scenario on 6.1; then on 6.12 the make check set, the
# matrices and the kernel-facing full-only scenarios (below 500). The 5xx
# full-only ones (ipsecd against its peers for minutes each) run once: on
# 6.12 the make check set already covers the daemon's use of the module.
check-full: setup
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@VMTEST_FULL=1 scripts/vm-tests --kernel 6.1 $(VMTEST_ARGS)
	@VMTEST_FULL=kernel scripts/vm-tests --kernel 6.12 $(VMTEST_ARGS)

check-6.12: setup
	@$(MAKE) --no-print-directory all
	@scripts/vm-tests --kernel 6.12 $(VMTEST_ARGS)

demo: setup
	@$(MAKE) --no-print-directory all
	@scripts/demo

bench: setup
	@$(MAKE) --no-print-directory all
	@bench/run

fuzz: setup
	@scripts/fuzz

install: all
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --install $(BUILD)
	@$(MAKE) --no-print-directory -C kmod install $(if $(KVER),KVER=$(KVER))

# What cmake --install recorded, and the module it installed.
uninstall:
	@test -f $(BUILD)/install_manifest.txt || { echo "make uninstall: nothing installed from $(BUILD)"; exit 1; }
	@sed 's|^|$(DESTDIR)|' $(BUILD)/install_manifest.txt | xargs -d '\n' rm -fv
	@rm -fv $(DESTDIR)/lib/modules/*/updates/ipsec_tun.ko*

# The DKMS source tree (packaging/dkms.conf.in) under DESTDIR.
dkms-source:
	@packaging/dkms-source "$(DESTDIR)/"

dkms-install: dkms-source
	@dkms status -m ipsec-tun -v $(VERSION) | grep -q . || dkms add -m ipsec-tun -v $(VERSION)
	@dkms install -m ipsec-tun -v $(VERSION) $(if $(KVER),-k $(KVER))

dkms-uninstall:
	@dkms remove -m ipsec-tun -v $(VERSION) --all || true
	@rm -rf /usr/src/ipsec-tun-$(VERSION)

# Binary packages from this build (packaging/mkdeb): ipsec-tun (daemon,
# CLI, unit, man pages, completion) and ipsec-tun-dkms (module source).
# Builds only the two programs it packages, not the tests or benchmarks.
deb:
	@$(CMAKE_CONFIGURE) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) --target ipsecd ipsecctl -- --no-print-directory
	@packaging/mkdeb $(BUILD) $(BUILD)/deb

format:
	@clang-format -i $$(git ls-files 'userspace/*.cc' 'userspace/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	@$(MAKE) --no-print-directory -C kmod clean
	@rm -rf $(BUILD)
