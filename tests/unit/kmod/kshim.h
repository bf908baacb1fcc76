/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The few kernel types kmod/selector.h, kmod/replay_window.h and
 * kmod/crypto_algs.h use, so the same headers compile in these host unit tests.
 */
#ifndef IPSEC_TUN_KSHIM_H
#define IPSEC_TUN_KSHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif
