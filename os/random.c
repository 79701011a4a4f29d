// SPDX-License-Identifier: MPL-2.0
// Kernel randomness through libsodium's randombytes (getrandom(2) on Linux).
#include "random.h"

#include <sodium.h>

void weft_os_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}
