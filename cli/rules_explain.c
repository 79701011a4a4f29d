// SPDX-License-Identifier: MPL-2.0
// Which rule decided: the evaluator returns only a list's result, so the deciding rule is found
// by evaluating prefixes of the list. A prefix that ends before the deciding action runs off its
// end (no match); one that includes it stops there, so the first prefix with a result ends at
// the deciding rule. BREAK and TEE/WATCH leave no result and are found by probing: the rule is
// replaced by ACCEPT (or aimed at an address nobody has) and the prefix ending there evaluated.
#include <string.h>

#include "rules_test.h"

// Scratch for prefixes; one evaluation at a time (the CLI is single-threaded).
static struct weft_rule scratch[WEFT_RULES_MAX_BASE];

#define PROBE_ADDRESS 0xfffffffffeULL

static uint64_t cf_of(const struct weft_rules_ctx *ctx)
{
	return weft_rules_characteristics(ctx->dir, ctx->frame) | ctx->sender_auth;
}

static void eval_prefix(const struct weft_rules_ctx *ctx, const struct weft_rules_list *l, size_t k,
                        struct weft_rules_list_out *o)
{
	weft_rules_eval_list(ctx, l->rules, k, cf_of(ctx), o);
}

// True if the set before action i matched: the prefix ending with i, i turned into ACCEPT.
static bool action_fires(const struct weft_rules_ctx *ctx, const struct weft_rules_list *l,
                         size_t i)
{
	struct weft_rules_list_out o;
	memcpy(scratch, l->rules, (i + 1) * sizeof *scratch);
	weft_rule_init(&scratch[i], WEFT_RULE_ACTION_ACCEPT, false, false);
	weft_rules_eval_list(ctx, scratch, i + 1, cf_of(ctx), &o);
	return o.result == WEFT_RULES_ACCEPT || o.result == WEFT_RULES_SUPER_ACCEPT;
}

// The deciding rule of a list: the action it stopped at, or -1 when it ran off the end.
static long deciding_rule(const struct weft_rules_ctx *ctx, const struct weft_rules_list *l)
{
	struct weft_rules_list_out o;
	for (size_t k = 1; k <= l->n; k++) {
		unsigned type = weft_rule_type(&l->rules[k - 1]);
		if (type > WEFT_RULE_ACTION_LAST)
			continue;
		eval_prefix(ctx, l, k, &o);
		if (o.result != WEFT_RULES_NO_MATCH)
			return (long)k - 1;
		if (type == WEFT_RULE_ACTION_BREAK && action_fires(ctx, l, k - 1))
			return (long)k - 1;
	}
	return -1;
}

// The last TEE/WATCH before `end` whose set matched and whose target is `to`: the one that
// set the list's copy (a later one overwrites an earlier one).
static long copy_rule(const struct weft_rules_ctx *ctx, const struct weft_rules_list *l, long end,
                      uint64_t to)
{
	struct weft_rules_list_out o;
	long found = -1;
	size_t stop = end < 0 ? l->n : (size_t)end;
	for (size_t i = 0; i < stop; i++) {
		unsigned type = weft_rule_type(&l->rules[i]);
		if (type != WEFT_RULE_ACTION_TEE && type != WEFT_RULE_ACTION_WATCH)
			continue;
		if ((l->rules[i].v.fwd.address & WEFT_RULES_ADDRESS_MASK) != to)
			continue;
		memcpy(scratch, l->rules, (i + 1) * sizeof *scratch);
		scratch[i].v.fwd.address = PROBE_ADDRESS;
		weft_rules_eval_list(ctx, scratch, i + 1, cf_of(ctx), &o);
		if (o.cc == PROBE_ADDRESS)
			found = (long)i;
	}
	return found;
}

static bool is_redirect(uint8_t flags)
{
	return flags == WEFT_RULES_EXT_REDIRECT_OUT || flags == WEFT_RULES_EXT_REDIRECT_IN;
}

void weft_cli_rules_explain(const struct weft_rules_ctx *ctx, const struct weft_cli_policy *p,
                            struct weft_cli_decision *d)
{
	struct weft_rules_list base = {p->base, p->n_base};
	struct weft_rules_list_out o;
	long base_rule;
	memset(d, 0, sizeof *d);
	weft_rules_filter(ctx, &base, p->caps, p->n_caps, &d->out);
	base_rule = deciding_rule(ctx, &base);
	eval_prefix(ctx, &base, base.n, &o);
	d->list = -1;
	d->rule = base_rule;
	if (o.result == WEFT_RULES_NO_MATCH) {
		d->list = -2;
		for (size_t i = 0; i < p->n_caps; i++) {
			eval_prefix(ctx, &p->caps[i], p->caps[i].n, &o);
			if (o.result == WEFT_RULES_ACCEPT || o.result == WEFT_RULES_REDIRECT ||
			    o.result == WEFT_RULES_SUPER_ACCEPT) {
				d->list = (int)i;
				d->rule = deciding_rule(ctx, &p->caps[i]);
				break;
			}
		}
	}
	// Copies come capability first, then base, then the redirect (weft_rules_filter).
	for (unsigned c = 0; c < d->out.n_copies; c++) {
		const struct weft_rules_copy *cp = &d->out.copies[c];
		d->copy_list[c] = -1;
		d->copy_rule[c] = -1;
		if (is_redirect(cp->flags)) {
			d->copy_list[c] = d->list;
			d->copy_rule[c] = d->rule;
			continue;
		}
		if (d->list >= 0) {
			const struct weft_rules_list *l = &p->caps[d->list];
			long r = copy_rule(ctx, l, d->rule, cp->to);
			if (r >= 0 && c == 0) {
				d->copy_list[c] = d->list;
				d->copy_rule[c] = r;
				continue;
			}
		}
		d->copy_rule[c] = copy_rule(ctx, &base, base_rule, cp->to);
	}
}
