// SPDX-License-Identifier: MPL-2.0
// `weft rules test`: one frame through the outbound or inbound rules pipeline of a policy given
// in the controller's JSON form; prints the verdict, the rule that decided it and the copies.
// `--case FILE` replays one rules_eval.json case instead (rules_case.c).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hex.h"
#include "rule_json.h"
#include "rules_test.h"

#define MAX_TOKENS 64

static struct weft_cli_policy pol;
static struct weft_cli_frame frame;

struct opts {
	const char *rules, *local_tags, *remote_tags, *caps;
	bool inbound, json;
	uint64_t me, peer, flags;
	char *tok[MAX_TOKENS];
	size_t n_tok;
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: weft rules test --rules FILE [switches] FRAME...\n"
	    "       weft rules test --case FILE\n"
	    "       weft rules compile [--config] FILE   (the rules language to JSON)\n\n"
	    "Runs one frame through a rule set and prints the verdict, the rule that decided\n"
	    "it and the TEE/WATCH/REDIRECT copies.\n\n"
	    "  --rules FILE            a JSON array of rules in the controller's form, or an\n"
	    "                          object {\"rules\": [...], \"capabilities\": [{\"id\": N,\n"
	    "                          \"rules\": [...]}, ...]} (a controller network works)\n"
	    "  --caps ID,...           capabilities the pipeline tries: outbound this node's\n"
	    "                          (by ascending ID), inbound the sender's (in this order)\n"
	    "  --local-tags ID=V,...   this node's tags\n"
	    "  --remote-tags ID=V,...  the other end's tags\n"
	    "  --outbound|--inbound    direction (default outbound: this node sends)\n"
	    "  --me ADDR --peer ADDR   ZeroTier addresses (default 1111111111, 2222222222)\n"
	    "  --flags HEX             the network config's flags (`f`)\n"
	    "  -j                      JSON output\n"
	    "  --case FILE             {\"scenario\": ..., \"case\": ...} from rules_eval.json:\n"
	    "                          print the case's result in the vector's format\n\n"
	    "FRAME, the sender's frame (from 02:00:00:00:00:01 to 02:00:00:00:00:02 unless\n"
	    "multicast or given):\n"
	    "  hex BYTES                             a whole Ethernet frame\n"
	    "  tcp FLAG[,FLAG...] SRC:PORT -> DST:PORT [len N]   ([IPV6]:PORT for IPv6)\n"
	    "  udp SRC:PORT -> DST:PORT [len N]\n"
	    "  icmp echo|reply SRC -> DST [len N]    icmp6 echo|reply SRC -> DST [len N]\n"
	    "  arp who-has IP [tell IP]              ndp who-has IPV6 [tell IPV6]\n"
	    "  and any of: from MAC, to MAC, tos N\n\n"
	    "Quote the description, as '>' and '[' mean something to the shell, or write 'to'\n"
	    "for '->': 'tcp syn 10.0.0.1:40000 -> 10.0.0.2:22', tcp syn 10.0.0.1:40000 to ...\n\n"
	    "Exit status: 0 done, 1 usage, 2 bad input (file, rule or frame description).\n");
}

static bool parse_u64hex(const char *s, uint64_t *x)
{
	return s && *s && strlen(s) <= 16 && weft_hex_u64(x, s, strlen(s));
}

// Splits a token holding spaces (a quoted description) into more tokens.
static bool add_tokens(struct opts *o, char *s)
{
	for (char *t = strtok(s, " \t"); t; t = strtok(NULL, " \t")) {
		if (o->n_tok >= MAX_TOKENS)
			return false;
		o->tok[o->n_tok++] = t;
	}
	return true;
}

// Returns -1 to go on, else the exit status.
static int parse(struct opts *o, int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-j")) {
			o->json = true;
			takes = false;
		} else if (!strcmp(a, "--inbound") || !strcmp(a, "--outbound")) {
			o->inbound = !strcmp(a, "--inbound");
			takes = false;
		} else if (!strcmp(a, "--case")) {
			if (!v)
				break;
			return weft_cli_rules_case(v);
		} else if (!strcmp(a, "--rules")) {
			o->rules = v;
		} else if (!strcmp(a, "--caps")) {
			o->caps = v;
		} else if (!strcmp(a, "--local-tags")) {
			o->local_tags = v;
		} else if (!strcmp(a, "--remote-tags")) {
			o->remote_tags = v;
		} else if (!strcmp(a, "--me") || !strcmp(a, "--peer") || !strcmp(a, "--flags")) {
			uint64_t *x = a[2] == 'm' ? &o->me : a[2] == 'p' ? &o->peer : &o->flags;
			if (!parse_u64hex(v, x)) {
				fprintf(stderr, "weft rules test: %s: expected hex, got '%s'\n", a,
				        v ? v : "");
				return 1;
			}
		} else if (a[0] == '-' && a[1] && strcmp(a, "->")) {
			fprintf(stderr, "weft rules test: unknown switch '%s' (try --help)\n", a);
			return 1;
		} else {
			takes = false;
			if (!add_tokens(o, argv[i])) {
				fprintf(stderr, "weft rules test: frame description too long\n");
				return 1;
			}
		}
		if (takes && !v) {
			fprintf(stderr, "weft rules test: %s needs a value\n", a);
			return 1;
		}
		i += takes;
	}
	if (!o->rules || !o->n_tok) {
		usage(stderr);
		return 1;
	}
	return -1;
}

// A list of rules in the controller's JSON form; `where` names it in messages.
static bool load_list(const json_t *arr, const char *where, struct weft_rule *rules, size_t cap,
                      size_t *n)
{
	size_t i;
	json_t *r;
	char why[200];
	if (!json_is_array(arr)) {
		fprintf(stderr, "weft rules test: %s: expected an array of rules\n", where);
		return false;
	}
	*n = 0;
	json_array_foreach (arr, i, r) {
		if (*n >= cap) {
			fprintf(stderr, "weft rules test: %s: more than %zu rules\n", where, cap);
			return false;
		}
		if (weft_rule_from_json(r, &rules[*n], why, sizeof why) != WEFT_OK) {
			fprintf(stderr, "weft rules test: %s[%zu]: %s\n", where, i, why);
			return false;
		}
		(*n)++;
	}
	return true;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static bool load_cap(const json_t *caps, uint32_t want)
{
	size_t i, k = pol.n_caps;
	json_t *c;
	json_array_foreach (caps, i, c) {
		json_t *id = json_object_get(c, "id");
		if (!json_is_integer(id) || (uint32_t)json_integer_value(id) != want)
			continue;
		if (k >= WEFT_CLI_RULES_MAX_CAPS ||
		    !load_list(json_object_get(c, "rules"), "capability rules", pol.cap_rules[k],
		               WEFT_RULES_MAX_CAP, &pol.caps[k].n))
			return false;
		pol.caps[k].rules = pol.cap_rules[k];
		pol.cap_ids[k] = want;
		pol.n_caps++;
		return true;
	}
	fprintf(stderr, "weft rules test: --caps: no capability %u in the rules file\n", want);
	return false;
}

// The capabilities named by --caps: outbound this node's own by ascending ID (§6.7), inbound
// the sender's in the order given (§6.8).
static bool pick_caps(const json_t *caps, const char *ids, bool inbound)
{
	uint32_t want[WEFT_CLI_RULES_MAX_CAPS];
	size_t n = 0;
	char *end;
	for (const char *s = ids; s && *s; s = *end ? end + 1 : end) {
		unsigned long x = strtoul(s, &end, 0);
		if (end == s || (*end && *end != ',') || x > 0xffffffffUL ||
		    n >= WEFT_CLI_RULES_MAX_CAPS) {
			fprintf(stderr, "weft rules test: --caps: expected ID,... at '%s'\n", s);
			return false;
		}
		want[n++] = (uint32_t)x;
	}
	if (!inbound)
		qsort(want, n, sizeof *want, cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!load_cap(caps, want[i]))
			return false;
	return true;
}

static bool load_policy(const struct opts *o)
{
	json_error_t err;
	json_t *j = json_load_file(o->rules, 0, &err);
	const json_t *rules = json_is_object(j) ? json_object_get(j, "rules") : j;
	const json_t *caps = json_object_get(j, "capabilities");
	bool ok;
	if (!j) {
		fprintf(stderr, "weft rules test: %s:%d: %s\n", o->rules, err.line, err.text);
		return false;
	}
	ok = load_list(rules, "rules", pol.base, WEFT_RULES_MAX_BASE, &pol.n_base) &&
	     pick_caps(caps, o->caps, o->inbound);
	json_decref(j);
	return ok;
}

// ID=VALUE,... (decimal or 0x hex).
static bool parse_tags(const char *s, const char *sw, struct weft_rules_tag *t, size_t *n)
{
	char *end;
	*n = 0;
	while (s && *s) {
		const char *at = s;
		unsigned long id = strtoul(s, &end, 0), v;
		if (end == s || *end != '=' || *n >= WEFT_CLI_RULES_MAX_TAGS)
			goto bad;
		s = end + 1;
		v = strtoul(s, &end, 0);
		if (end == s || (*end && *end != ',') || id > 0xffffffffUL || v > 0xffffffffUL)
			goto bad;
		t[(*n)++] = (struct weft_rules_tag){(uint32_t)id, (uint32_t)v};
		s = *end ? end + 1 : end;
		continue;
	bad:
		fprintf(stderr, "weft rules test: %s: expected ID=VALUE at '%s'\n", sw, at);
		return false;
	}
	return true;
}

static uint32_t fixed_random(void *ctx)
{
	(void)ctx;
	return 0x80000000u;
}

static const char *verdict_name(enum weft_rules_verdict v)
{
	static const char *const names[] = {"DROP", "ACCEPT", "SUPER_ACCEPT", "REDIRECT"};
	return names[v];
}

const char *weft_cli_rules_copy_kind(uint8_t flags)
{
	static const char *const kinds[] = {
	    "?",           "tee-outbound",     "redirect-outbound", "watch-outbound",
	    "tee-inbound", "redirect-inbound", "watch-inbound",     "?"};
	return kinds[(flags >> 1) & 7];
}

static const struct weft_rules_list *list_of(int list)
{
	static struct weft_rules_list base;
	base = (struct weft_rules_list){pol.base, pol.n_base};
	return list >= 0 ? &pol.caps[list] : &base;
}

// The rule as the controller writes it, or NULL (caller frees).
static json_t *rule_json(int list, long rule)
{
	const struct weft_rules_list *l = list_of(list);
	return rule >= 0 && (size_t)rule < l->n ? weft_rule_to_json(&l->rules[rule]) : NULL;
}

// "base rule 6 {...}" or "capability 2 rule 1 {...}".
static void print_rule(int list, long rule)
{
	json_t *r = rule_json(list, rule);
	char *text = r ? json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (list >= 0)
		printf("capability %u ", pol.cap_ids[list]);
	else
		printf("base ");
	printf("rule %ld %s", rule, text ? text : "");
	free(text);
	json_decref(r);
}

static void print_text(const struct weft_cli_decision *d)
{
	printf("verdict: %s\n", verdict_name(d->out.verdict));
	printf("decided by: ");
	if (d->list == -2 && d->rule >= 0) {
		print_rule(-1, d->rule);
		printf(" (break), no capability accepted: default drop\n");
	} else if (d->list == -2) {
		printf("no rule matched: default drop\n");
	} else {
		print_rule(d->list, d->rule);
		printf("\n");
	}
	for (unsigned i = 0; i < d->out.n_copies; i++) {
		const struct weft_rules_copy *c = &d->out.copies[i];
		printf("copy: %s to %010llx flags 0x%02x length %zu of %zu",
		       weft_cli_rules_copy_kind(c->flags), (unsigned long long)c->to, c->flags,
		       c->len, frame.len);
		if (d->copy_rule[i] >= 0) {
			printf(" by ");
			print_rule(d->copy_list[i], d->copy_rule[i]);
		}
		printf("\n");
	}
}

static json_t *where_json(int list, long rule)
{
	json_t *o = json_object();
	json_object_set_new(o, "list", json_string(list >= 0 ? "capability" : "base"));
	if (list >= 0)
		json_object_set_new(o, "capability", json_integer(pol.cap_ids[list]));
	json_object_set_new(o, "index", json_integer(rule));
	json_t *r = rule_json(list, rule);
	json_object_set_new(o, "rule", r ? r : json_null());
	return o;
}

// The whole Ethernet frame (no VLAN tag) in hex.
static json_t *frame_hex(void)
{
	static uint8_t b[14 + WEFT_CLI_FRAME_MAX];
	static char h[2 * sizeof b + 1];
	for (int i = 0; i < 6; i++) {
		b[i] = (uint8_t)(frame.dst_mac >> (40 - 8 * i));
		b[6 + i] = (uint8_t)(frame.src_mac >> (40 - 8 * i));
	}
	b[12] = (uint8_t)(frame.ethertype >> 8);
	b[13] = (uint8_t)frame.ethertype;
	memcpy(b + 14, frame.payload, frame.len);
	weft_hex_encode(h, b, 14 + frame.len);
	return json_string(h);
}

static void print_json(const struct weft_cli_decision *d)
{
	json_t *o = json_object(), *copies = json_array();
	char to[11];
	json_object_set_new(o, "verdict", json_string(verdict_name(d->out.verdict)));
	json_object_set_new(o, "decidedBy",
	                    d->list == -2 && d->rule < 0
	                        ? json_null()
	                        : where_json(d->list == -2 ? -1 : d->list, d->rule));
	json_object_set_new(o, "defaultDrop", json_boolean(d->list == -2));
	for (unsigned i = 0; i < d->out.n_copies; i++) {
		const struct weft_rules_copy *c = &d->out.copies[i];
		json_t *x = json_object();
		snprintf(to, sizeof to, "%010llx", (unsigned long long)c->to);
		json_object_set_new(x, "kind", json_string(weft_cli_rules_copy_kind(c->flags)));
		json_object_set_new(x, "to", json_string(to));
		json_object_set_new(x, "extFrameFlags", json_integer(c->flags));
		json_object_set_new(x, "length", json_integer((json_int_t)c->len));
		json_object_set_new(x, "by",
		                    d->copy_rule[i] >= 0
		                        ? where_json(d->copy_list[i], d->copy_rule[i])
		                        : json_null());
		json_array_append_new(copies, x);
	}
	json_object_set_new(o, "copies", copies);
	json_object_set_new(o, "frameLength", json_integer((json_int_t)frame.len));
	json_object_set_new(o, "frame", frame_hex());
	weft_cli_print_json(o);
	json_decref(o);
}

static int run_test(const struct opts *o)
{
	char why[200];
	struct weft_cli_decision d;
	if (!weft_cli_frame_describe(&frame, (char **)o->tok, o->n_tok, why, sizeof why)) {
		fprintf(stderr, "weft rules test: bad frame description %s\n", why);
		return 2;
	}
	if (!parse_tags(o->local_tags, "--local-tags", pol.local, &pol.n_local) ||
	    !parse_tags(o->remote_tags, "--remote-tags", pol.remote, &pol.n_remote) ||
	    !load_policy(o))
		return 2;
	struct weft_rules_frame f = {frame.src_mac, frame.dst_mac, frame.ethertype,
	                             frame.vlan_id, frame.payload, frame.len};
	bool group = (frame.dst_mac >> 40) & 1;
	struct weft_rules_ctx ctx = {
	    .dir = o->inbound ? WEFT_RULES_INBOUND : WEFT_RULES_OUTBOUND,
	    .me = o->me,
	    .zt_source = o->inbound ? o->peer : o->me,
	    // Outbound to a multicast or broadcast MAC has no single recipient (§6.7).
	    .zt_dest = o->inbound ? o->me
	               : group    ? 0
	                          : o->peer,
	    .frame = &f,
	    .local_tags = pol.local,
	    .n_local_tags = pol.n_local,
	    .remote_tags = pol.remote,
	    .n_remote_tags = pol.n_remote,
	    .net_flags = o->flags,
	    .random = fixed_random,
	};
	weft_cli_rules_explain(&ctx, &pol, &d);
	if (o->json)
		print_json(&d);
	else
		print_text(&d);
	return 0;
}

int weft_cli_rules(const char *argv0, int argc, char **argv)
{
	struct opts o = {.me = 0x1111111111ULL, .peer = 0x2222222222ULL};
	int r;
	(void)argv0;
	if (argc >= 2 && !strcmp(argv[1], "compile"))
		return weft_cli_rules_compile(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "test")) {
		usage(argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) ? stdout
		                                                                          : stderr);
		return argc >= 2 && argv[1][0] == '-' && argv[1][1] == 'h' ? 0 : 1;
	}
	r = parse(&o, argc, argv);
	return r >= 0 ? r : run_test(&o);
}
