// SPDX-License-Identifier: MPL-2.0
// Text for enum weft_result.
#include "weft/weft.h"

const char *weft_result_str(enum weft_result r)
{
	switch (r) {
	case WEFT_OK: return "ok";
	case WEFT_ERR_INVALID: return "invalid input";
	case WEFT_ERR_TOO_BIG: return "too big";
	case WEFT_ERR_AUTH: return "authentication failed";
	case WEFT_ERR_UNSUPPORTED: return "unsupported";
	case WEFT_ERR_NO_SECRET: return "no secret key";
	case WEFT_ERR_BAD_IDENTITY: return "identity failed validation";
	case WEFT_ERR_NOT_FOUND: return "not found";
	case WEFT_ERR_FULL: return "table full";
	case WEFT_FATAL_OUT_OF_MEMORY: return "out of memory";
	case WEFT_FATAL_CRYPTO: return "crypto library failure";
	case WEFT_FATAL_INTERNAL: return "internal error";
	}
	return "unknown result";
}
