// SPDX-License-Identifier: MPL-2.0
// libsodium picks its fastest implementations at init; it must run once before use.
#include "crypto.h"

#include <sodium.h>

enum weft_result weft_crypto_init(void)
{
	return sodium_init() < 0 ? WEFT_FATAL_CRYPTO : WEFT_OK;
}
