// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for the rules engine (vl2.md §6). Input: a 16-byte header (direction and
// flag bits, tag values, capability split points, frame length), one length byte L, L bytes of
// rule list (weft_rules_decode), then the frame payload. Both pipelines run on what decodes;
// outputs must be sane: copies within the frame, never to the sender or the original target.
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "rules_eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ME   0x07d479821eULL
#define PEER 0x90b0f484acULL
#define HDR  16

// Random bits from the input's own bytes, cycling.
struct coin {
	const uint8_t *p;
	size_t n, i;
};

static uint32_t coin_flip(void *ctx)
{
	struct coin *c = ctx;
	uint32_t v = 0;
	for (int k = 0; k < 4; k++)
		v = v << 8 | (c->n ? c->p[c->i++ % c->n] : 0x5a);
	return v;
}

static void check_outcome(const struct weft_rules_ctx *ctx, const struct weft_rules_outcome *o)
{
	unsigned redirects = 0;
	CHECK(o->n_copies <= WEFT_RULES_MAX_COPIES);
	CHECK(o->qos_bucket == 0);
	CHECK(ctx->dir == WEFT_RULES_INBOUND || o->verdict != WEFT_RULES_VERDICT_SUPER_ACCEPT);
	if (o->verdict == WEFT_RULES_VERDICT_DROP)
		CHECK(o->n_copies == 0);
	for (unsigned i = 0; i < o->n_copies; i++) {
		const struct weft_rules_copy *c = &o->copies[i];
		bool redirect = c->flags == WEFT_RULES_EXT_REDIRECT_IN ||
		                c->flags == WEFT_RULES_EXT_REDIRECT_OUT;
		CHECK(c->len <= ctx->frame->len);
		CHECK(c->to != 0 && c->to <= WEFT_RULES_ADDRESS_MASK);
		CHECK(c->to != ctx->zt_source && c->to != ctx->me && c->to != ctx->zt_dest);
		if (redirect) {
			CHECK(c->len == ctx->frame->len && i + 1 == o->n_copies);
			redirects++;
		}
		if (ctx->dir == WEFT_RULES_OUTBOUND && ctx->no_tee)
			CHECK(redirect);
	}
	CHECK((o->verdict == WEFT_RULES_VERDICT_REDIRECT) == (redirects == 1));
}

static void run(struct weft_rules_ctx *ctx, const struct weft_rule *rules, size_t n,
                const uint8_t *hdr)
{
	struct weft_rules_list base = {rules, hdr[8] % (n + 1)}, caps[3];
	size_t at = base.n, n_caps = 0;
	// the rest of the list is split into up to three capabilities
	for (unsigned k = 0; k < 3 && at < n; k++) {
		size_t len = 1 + hdr[9 + k] % (n - at);
		caps[n_caps++] = (struct weft_rules_list){rules + at, len};
		at += len;
	}
	struct weft_rules_outcome o;
	weft_rules_filter(ctx, &base, caps, n_caps, &o);
	check_outcome(ctx, &o);
	struct weft_rules_list_out lo;
	weft_rules_eval_list(ctx, rules, n, 0, &lo);
	CHECK(lo.cc_len <= ctx->frame->len && lo.result <= WEFT_RULES_REDIRECT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct weft_rule rules[WEFT_RULES_MAX_BASE];
	struct weft_rules_tag local[2], remote[2];
	struct weft_rbuf r;
	size_t n = 0;
	if (size < HDR + 1)
		return 0;
	const uint8_t *hdr = data;
	size_t rl = data[HDR];
	if (HDR + 1 + rl > size)
		return 0;
	rbuf_init(&r, data + HDR + 1, rl);
	if (weft_rules_decode(rules, WEFT_RULES_MAX_BASE, &n, &r) != WEFT_OK)
		return 0;
	const uint8_t *pl = data + HDR + 1 + rl;
	size_t plen = size - HDR - 1 - rl;
	// an exact-size copy so ASan sees any read past the frame
	uint8_t *payload = malloc(plen ? plen : 1);
	if (!payload)
		return 0;
	memcpy(payload, pl, plen);
	struct weft_rules_frame f = {
	    .src_mac = load_be32(hdr + 4) & 0xffffffffffffULL,
	    .dst_mac = (hdr[0] & 0x10) ? 0xffffffffffffULL : (uint64_t)load_be32(hdr + 4) << 16,
	    .ethertype = (hdr[0] & 0x20)   ? 0x86dd
	                 : (hdr[0] & 0x40) ? 0x0800
	                                   : load_be16(hdr + 12),
	    .payload = payload,
	    .len = plen,
	};
	for (unsigned k = 0; k < 2; k++) {
		local[k] = (struct weft_rules_tag){1u + k, hdr[1 + k]};
		remote[k] = (struct weft_rules_tag){2u - k, hdr[3 + k] % 4};
	}
	struct coin coin = {data, size, 0};
	bool in = hdr[0] & 1;
	struct weft_rules_ctx ctx = {
	    .dir = in ? WEFT_RULES_INBOUND : WEFT_RULES_OUTBOUND,
	    .me = ME,
	    .zt_source = in ? PEER : ME,
	    .zt_dest = in             ? ME
	               : (hdr[0] & 2) ? PEER
	                              : 0,
	    .frame = &f,
	    .local_tags = local,
	    .n_local_tags = hdr[14] % 3,
	    .remote_tags = remote,
	    .n_remote_tags = hdr[15] % 3,
	    .net_flags = (hdr[0] & 4) ? WEFT_RULES_NETFLAG_UNSUPPORTED_MATCH : 0,
	    .sender_auth = (hdr[0] & 8) ? WEFT_RULES_CF_SENDER_IP_AUTH : 0,
	    .no_tee = (hdr[0] & 0x80) != 0,
	    .random = coin_flip,
	    .random_ctx = &coin,
	};
	run(&ctx, rules, n, hdr);
	uint8_t ip[16];
	bool ns;
	size_t ipl = weft_rules_sender_ip(&f, ip, &ns);
	CHECK(ipl == 0 || ipl == 4 || ipl == 16);
	free(payload);
	return 0;
}
