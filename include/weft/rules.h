// SPDX-License-Identifier: MPL-2.0
// The binary rule format (vl2.md §6.1), shared by rulesc/, controller/ and core/: one entry is
// type byte (type | NOT | OR) ‖ field length (1) ‖ field. Known types are decoded into named
// fields; unknown types are kept as opaque bytes so a list re-encodes byte for byte.
#ifndef WEFT_RULES_H
#define WEFT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

#ifdef __cplusplus
extern "C" {
#endif

// Type byte bits.
#define WEFT_RULE_NOT       0x80 // invert a MATCH's result
#define WEFT_RULE_OR        0x40 // OR a MATCH into the set instead of AND
#define WEFT_RULE_TYPE_MASK 0x3f

// Caps: a base rule list (netconf `R`) and a capability's rules (vl2.md §3.5, §5.3).
#define WEFT_RULES_MAX_BASE 1024
#define WEFT_RULES_MAX_CAP  64
// Largest field an unknown type may carry and still be kept; longer ones are refused.
#define WEFT_RULE_OPAQUE_MAX 32
// Largest encoded entry: type, length and an opaque field (known fields are at most 19).
#define WEFT_RULE_MAX_LEN (2 + WEFT_RULE_OPAQUE_MAX)

// Type numbers (low 6 bits of the type byte). 0..15 actions, 16..63 matches.
enum weft_rule_type {
	WEFT_RULE_ACTION_DROP = 0,
	WEFT_RULE_ACTION_ACCEPT = 1,
	WEFT_RULE_ACTION_TEE = 2,
	WEFT_RULE_ACTION_WATCH = 3,
	WEFT_RULE_ACTION_REDIRECT = 4,
	WEFT_RULE_ACTION_BREAK = 5,
	WEFT_RULE_ACTION_PRIORITY = 6, // the QoS bucket is not serialized
	WEFT_RULE_ACTION_LAST = 15,
	WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS = 24,
	WEFT_RULE_MATCH_DEST_ZEROTIER_ADDRESS = 25,
	WEFT_RULE_MATCH_VLAN_ID = 26,
	WEFT_RULE_MATCH_VLAN_PCP = 27,
	WEFT_RULE_MATCH_VLAN_DEI = 28,
	WEFT_RULE_MATCH_MAC_SOURCE = 29,
	WEFT_RULE_MATCH_MAC_DEST = 30,
	WEFT_RULE_MATCH_IPV4_SOURCE = 31,
	WEFT_RULE_MATCH_IPV4_DEST = 32,
	WEFT_RULE_MATCH_IPV6_SOURCE = 33,
	WEFT_RULE_MATCH_IPV6_DEST = 34,
	WEFT_RULE_MATCH_IP_TOS = 35,
	WEFT_RULE_MATCH_IP_PROTOCOL = 36,
	WEFT_RULE_MATCH_ETHERTYPE = 37,
	WEFT_RULE_MATCH_ICMP = 38,
	WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE = 39,
	WEFT_RULE_MATCH_IP_DEST_PORT_RANGE = 40,
	WEFT_RULE_MATCH_CHARACTERISTICS = 41,
	WEFT_RULE_MATCH_FRAME_SIZE_RANGE = 42,
	WEFT_RULE_MATCH_RANDOM = 43,
	WEFT_RULE_MATCH_TAGS_DIFFERENCE = 44,
	WEFT_RULE_MATCH_TAGS_BITWISE_AND = 45,
	WEFT_RULE_MATCH_TAGS_BITWISE_OR = 46,
	WEFT_RULE_MATCH_TAGS_BITWISE_XOR = 47,
	WEFT_RULE_MATCH_TAGS_EQUAL = 48,
	WEFT_RULE_MATCH_TAG_SENDER = 49,
	WEFT_RULE_MATCH_TAG_RECEIVER = 50,
	WEFT_RULE_MATCH_INTEGER_RANGE = 51,
};

// MATCH_ICMP flags: the code must match too.
#define WEFT_RULE_ICMP_CHECK_CODE 0x01
// MATCH_INTEGER_RANGE format byte: bit 7 little-endian, low 6 bits = bit width - 1.
#define WEFT_RULE_INT_LITTLE_ENDIAN 0x80
#define WEFT_RULE_INT_BITS_MASK     0x3f

struct weft_rule {
	uint8_t t;   // type | WEFT_RULE_NOT | WEFT_RULE_OR
	uint8_t len; // field length; for known types always the type's fixed length
	union {
		// TEE, WATCH, REDIRECT: address is written as an 8-byte integer (low 40 bits
		// meaningful; all 64 kept so the entry re-encodes exactly).
		struct {
			uint64_t address;
			uint32_t flags;
			uint16_t length; // bytes of the frame to copy, 0 = all
		} fwd;
		uint64_t zt; // SOURCE/DEST_ZEROTIER_ADDRESS, 40 bits
		uint16_t vlan_id;
		uint8_t vlan_pcp;
		uint8_t vlan_dei;
		uint8_t mac[6]; // MAC_SOURCE/DEST
		struct {
			uint8_t ip[4]; // network order
			uint8_t prefix_bits;
		} ipv4;
		struct {
			uint8_t ip[16];
			uint8_t prefix_bits;
		} ipv6;
		struct {
			uint8_t mask, start, end;
		} ip_tos;
		uint8_t ip_protocol;
		uint16_t ethertype;
		struct {
			uint8_t type, code, flags;
		} icmp;
		struct {
			uint16_t start, end; // inclusive
		} range;                     // port ranges and FRAME_SIZE_RANGE
		uint64_t characteristics;
		uint32_t probability; // out of 0xffffffff
		struct {
			uint32_t id, value;
		} tag; // TAGS_* and TAG_SENDER/RECEIVER
		// INTEGER_RANGE. `end` is absolute as on the wire (1.14 keeps end - start in
		// 32 bits in memory; the evaluator must apply that truncation).
		struct {
			uint64_t start, end;
			uint16_t idx;   // byte offset in the frame payload
			uint8_t format; // WEFT_RULE_INT_*
		} int_range;
		uint8_t opaque[WEFT_RULE_OPAQUE_MAX]; // unknown types: the field as received
	} v;
};

static inline unsigned weft_rule_type(const struct weft_rule *rule)
{
	return rule->t & WEFT_RULE_TYPE_MASK;
}

// True if the 6-bit type has a defined layout (known to 1.14).
bool weft_rule_type_is_known(unsigned type);
// The fixed field length of a known type; 0 for unknown types.
unsigned weft_rule_field_len(unsigned type);
// Sets `t` and the fixed `len` for a known type and zeroes the fields.
void weft_rule_init(struct weft_rule *rule, unsigned type, bool not_, bool or_);

struct weft_rbuf;
struct weft_wbuf;

// One entry. Decode refuses (WEFT_ERR_INVALID, reader marked bad) a known type whose length
// is not its fixed length, and (WEFT_ERR_UNSUPPORTED) an unknown type longer than
// WEFT_RULE_OPAQUE_MAX. Encode writes nothing but marks the writer bad for such a rule.
enum weft_result weft_rule_decode(struct weft_rule *rule, struct weft_rbuf *r);
void weft_rule_encode(const struct weft_rule *rule, struct weft_wbuf *w);

// A list read until the reader is exhausted (the base rules blob); more than `cap` entries is
// WEFT_ERR_TOO_BIG. On error *n is 0.
enum weft_result weft_rules_decode(struct weft_rule *rules, size_t cap, size_t *n,
                                   struct weft_rbuf *r);
void weft_rules_encode(const struct weft_rule *rules, size_t n, struct weft_wbuf *w);

#ifdef __cplusplus
}
#endif

#endif
