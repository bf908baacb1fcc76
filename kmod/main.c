// SPDX-License-Identifier: GPL-2.0
/*
 * ipsec_tun: route-based IPsec (ESP tunnel mode) on ipsecN devices.
 * Module init and exit only: each subsystem is brought up in order and
 * unwound in reverse.
 */
#include <linux/module.h>
#include <net/rtnetlink.h>
#include <net/genetlink.h>
#include "device.h"
#include "sa.h"
#include "crypto.h"
#include "esp.h"
#include "netlink.h"
#include "policy.h"
#include "spi_hold.h"

static int __init ipsec_tun_mod_init(void)
{
	int ret;

#ifdef IPSEC_TUN_SELFTEST
	ret = ipsec_tun_replay_selftest();
	if (ret)
		return ret;
	ret = ipsec_tun_crypto_selftest();
	if (ret)
		return ret;
#endif
	ret = ipsec_tun_sa_init();
	if (ret)
		return ret;
	ret = ipsec_tun_spi_hold_init();
	if (ret)
		goto err_hold;
	ret = ipsec_tun_device_init();
	if (ret)
		goto err_device;
	ret = ipsec_tun_input_init();
	if (ret)
		goto err_input;
	ret = ipsec_tun_genl_init();
	if (ret)
		goto err_genl;
	pr_info("ipsec_tun: loaded\n");
	return 0;

err_genl:
	ipsec_tun_input_uninit();
err_input:
	ipsec_tun_device_uninit();
	ipsec_tun_output_uninit();
err_device:
	ipsec_tun_spi_hold_uninit();
err_hold:
	ipsec_tun_sa_uninit();
	return ret;
}

static void __exit ipsec_tun_mod_exit(void)
{
	ipsec_tun_genl_uninit();
	ipsec_tun_input_uninit();
	ipsec_tun_device_uninit();
	ipsec_tun_output_uninit();
	ipsec_tun_spi_hold_uninit();
	ipsec_tun_sa_uninit();
	pr_info("ipsec_tun: unloaded (live sas %d, devs %d, policies %d, held %d)\n",
		atomic_read(&ipsec_tun_live_sas), atomic_read(&ipsec_tun_live_devs),
		atomic_read(&ipsec_tun_live_policies), atomic_read(&ipsec_tun_live_held));
}

module_init(ipsec_tun_mod_init);
module_exit(ipsec_tun_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Route-based IPsec ESP tunnel devices");
MODULE_ALIAS_RTNL_LINK(IPSEC_TUN_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(IPSEC_TUN_GENL_NAME);
