// SPDX-License-Identifier: MPL-2.0
// Entropy for the core, from the operating system.
#ifndef WEFT_OS_RANDOM_H
#define WEFT_OS_RANDOM_H

#include <stddef.h>

// weft_random_fn for the host: fills buf from the kernel CSPRNG (getrandom).
void weft_os_random(void *ctx, void *buf, size_t len);

#endif
