// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test only: a module whose init hits WARN_ON(1), so that
 * scripts/vm-tests can prove a kernel warning makes scripts/vm-run fail.
 * The VM boots with panic_on_warn=1, so loading it ends the VM. Never
 * installed or loaded anywhere but in that throwaway VM.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init warn_test_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit warn_test_exit(void)
{
}

module_init(warn_test_init);
module_exit(warn_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ipsec_tun VM harness self-test: WARN_ON at load");
