// SPDX-License-Identifier: MPL-2.0
// One-time initialisation of the crypto libraries the core uses. Call before anything else.
#ifndef WEFT_CRYPTO_H
#define WEFT_CRYPTO_H

#include "weft/weft.h"

enum weft_result weft_crypto_init(void);

#endif
