// SPDX-License-Identifier: MPL-2.0
// Every table and queue cap of the core, and the timeouts that bound them. When a table is
// full the core drops and counts; nothing grows without bound.
#ifndef WEFT_LIMITS_H
#define WEFT_LIMITS_H

// Fragment reassembly (vl1.md §3.7): slots in flight, and how long an incomplete one lives.
#define WEFT_LIMIT_DEFRAG_SLOTS 32
#define WEFT_DEFRAG_TIMEOUT_MS 5000

// Identity address derivation scratch (vl1.md §1.2).
#define WEFT_IDENTITY_HASH_MEMORY 2097152

#endif
