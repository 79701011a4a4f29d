// SPDX-License-Identifier: MPL-2.0
// Public C API of the weft core: the one result type, the host-supplied randomness hook and
// version numbers. The core performs no I/O; everything it needs comes in through this API.
#ifndef WEFT_WEFT_H
#define WEFT_WEFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_VERSION_MAJOR 1
#define WEFT_VERSION_MINOR 14
#define WEFT_VERSION_REVISION 1
#define WEFT_VERSION_STRING "1.14.1"

// 0 is success; 1..99 are non-fatal (the call failed, the object is unchanged);
// 100 and up are fatal (the object can no longer be used).
enum weft_result {
	WEFT_OK = 0,
	WEFT_ERR_INVALID = 1,     // malformed input or argument
	WEFT_ERR_TOO_BIG = 2,     // does not fit the buffer or a protocol limit
	WEFT_ERR_AUTH = 3,        // MAC or signature check failed
	WEFT_ERR_UNSUPPORTED = 4, // valid but not handled (e.g. an unknown cipher suite)
	WEFT_ERR_NO_SECRET = 5,   // the operation needs a secret key the identity lacks
	WEFT_ERR_BAD_IDENTITY = 6, // identity fails validation (proof of work / address)
	WEFT_ERR_NOT_FOUND = 7,
	WEFT_ERR_FULL = 8,        // a bounded table is full
	WEFT_FATAL_OUT_OF_MEMORY = 100,
	WEFT_FATAL_CRYPTO = 101,  // crypto library failed to initialise or misbehaved
	WEFT_FATAL_INTERNAL = 102,
};

static inline bool weft_result_is_fatal(enum weft_result r)
{
	return r >= WEFT_FATAL_OUT_OF_MEMORY;
}

// Short English description of a result, for logs and CLI messages.
const char *weft_result_str(enum weft_result r);

// Host-supplied cryptographically secure randomness: fill `buf` with `len` bytes.
// The core never reads entropy itself.
typedef void (*weft_random_fn)(void *ctx, void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
