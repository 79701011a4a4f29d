// SPDX-License-Identifier: MPL-2.0
// The rules engine (vl2.md §6): a stateless evaluator of decoded rule lists over one Ethernet
// frame, and the outbound and inbound pipelines (base rules, then capabilities) that turn list
// results into a verdict and the TEE/WATCH/REDIRECT copies to send. No clock, no I/O, no
// allocation: randomness and the sender-authentication bits come from the caller.
#ifndef WEFT_RULES_EVAL_H
#define WEFT_RULES_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/rules.h"
#include "netconf.h"

enum weft_rules_dir {
	WEFT_RULES_OUTBOUND = 0,
	WEFT_RULES_INBOUND = 1,
};

// Network config flag (vl2.md §3.3): the result of a MATCH type the evaluator does not know.
#define WEFT_RULES_NETFLAG_UNSUPPORTED_MATCH WEFT_NETCONF_F_RULES_RESULT_OF_UNSUPPORTED_MATCH

// Packet characteristics bits (vl2.md §6.5).
#define WEFT_RULES_CF_INBOUND         0x8000000000000000ULL
#define WEFT_RULES_CF_MULTICAST       0x4000000000000000ULL
#define WEFT_RULES_CF_BROADCAST       0x2000000000000000ULL
#define WEFT_RULES_CF_SENDER_IP_AUTH  0x1000000000000000ULL
#define WEFT_RULES_CF_SENDER_MAC_AUTH 0x0800000000000000ULL
#define WEFT_RULES_CF_TCP_MASK        0x0000000000000fffULL

// EXT_FRAME flags byte of each copy (vl2.md §6.9).
#define WEFT_RULES_EXT_TEE_OUT      0x02
#define WEFT_RULES_EXT_WATCH_OUT    0x16
#define WEFT_RULES_EXT_REDIRECT_OUT 0x04
#define WEFT_RULES_EXT_TEE_IN       0x08
#define WEFT_RULES_EXT_WATCH_IN     0x1c
#define WEFT_RULES_EXT_REDIRECT_IN  0x0a

#define WEFT_RULES_ADDRESS_MASK 0xffffffffffULL

// A tag as the evaluator sees it: a validated (§5.9) ID → value pair.
struct weft_rules_tag {
	uint32_t id, value;
};

// One rule list: the base rules or one capability's. Borrowed.
struct weft_rules_list {
	const struct weft_rule *rules;
	size_t n;
};

// The frame: MACs as 48-bit integers (vl2addr.h), the payload after the 14-byte header.
struct weft_rules_frame {
	uint64_t src_mac, dst_mac;
	uint16_t ethertype;
	uint16_t vlan_id; // always 0 in 1.14
	const uint8_t *payload;
	size_t len;
};

// 32 random bits for MATCH_RANDOM; called only when such a match is actually evaluated.
typedef uint32_t (*weft_rules_random_fn)(void *ctx);

// Everything one evaluation reads. All pointers are borrowed for the call.
struct weft_rules_ctx {
	enum weft_rules_dir dir;
	uint64_t me;        // this node's address
	uint64_t zt_source; // outbound: me; inbound: the sending peer
	uint64_t zt_dest;   // outbound: recipient, 0 when unknown (§6.7); inbound: me
	const struct weft_rules_frame *frame;
	const struct weft_rules_tag *local_tags; // this node's own tags
	size_t n_local_tags;
	const struct weft_rules_tag *remote_tags; // the remote peer's valid tags (none: n = 0)
	size_t n_remote_tags;
	uint64_t net_flags;   // the config's `f`
	uint64_t sender_auth; // WEFT_RULES_CF_SENDER_*_AUTH as the caller established them (§6.5)
	bool no_tee;          // outbound only: suppress TEE/WATCH copies (per-recipient passes)
	weft_rules_random_fn random;
	void *random_ctx;
};

// Result of one list (§6.2).
enum weft_rules_result {
	WEFT_RULES_NO_MATCH = 0,
	WEFT_RULES_DROP,
	WEFT_RULES_ACCEPT,
	WEFT_RULES_SUPER_ACCEPT,
	WEFT_RULES_REDIRECT,
};

struct weft_rules_list_out {
	enum weft_rules_result result;
	uint64_t zt_dest; // changed by REDIRECT
	uint64_t cc;      // last TEE/WATCH target fired, 0 = none
	size_t cc_len;
	bool cc_watch;
	uint8_t qos_bucket; // PRIORITY's bucket; never serialized, so 0 for decoded rules
};

// Final verdict of a pipeline.
enum weft_rules_verdict {
	WEFT_RULES_VERDICT_DROP = 0,
	WEFT_RULES_VERDICT_ACCEPT,
	WEFT_RULES_VERDICT_SUPER_ACCEPT, // inbound only: deliver despite addressing checks
	WEFT_RULES_VERDICT_REDIRECT,     // not delivered to the original destination
};

// One EXT_FRAME copy: the first `len` payload bytes go to `to` with flags byte `flags`.
struct weft_rules_copy {
	uint64_t to;
	uint8_t flags;
	size_t len;
};

// A capability copy, a base copy and a redirect at most.
#define WEFT_RULES_MAX_COPIES 3

struct weft_rules_outcome {
	enum weft_rules_verdict verdict;
	uint8_t qos_bucket;
	struct weft_rules_copy copies[WEFT_RULES_MAX_COPIES];
	unsigned n_copies;
};

// The frame-derived characteristics bits (direction, multicast, broadcast, TCP flags); the
// sender-authentication bits are the caller's (ctx->sender_auth).
uint64_t weft_rules_characteristics(enum weft_rules_dir dir, const struct weft_rules_frame *f);

// The IPv6 extension-header walk (§6.3): true with the final protocol and its offset, false
// when the frame is too short or a header runs past its end.
bool weft_rules_ipv6_walk(const uint8_t *p, size_t len, unsigned *proto, size_t *off);

// Which address the authentication bits are about (§6.5). Returns its length (4 or 16) and
// copies it to ip, 0 when the frame has none; *ns_auth is set for an IPv6 Neighbor
// Solicitation, whose sender counts as authenticated unconditionally.
size_t weft_rules_sender_ip(const struct weft_rules_frame *f, uint8_t ip[16], bool *ns_auth);

// Evaluates one list with characteristics `cf` (§6.2).
void weft_rules_eval_list(const struct weft_rules_ctx *ctx, const struct weft_rule *rules, size_t n,
                          uint64_t cf, struct weft_rules_list_out *out);

// The pipeline of ctx->dir (§6.7 outbound, §6.8 inbound): base rules, then `caps` in the
// order given — outbound: this node's own capabilities by ascending ID; inbound: the sender's
// valid capabilities in the order its membership record keeps them.
void weft_rules_filter(const struct weft_rules_ctx *ctx, const struct weft_rules_list *base,
                       const struct weft_rules_list *caps, size_t n_caps,
                       struct weft_rules_outcome *out);

#endif
