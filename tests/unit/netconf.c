// SPDX-License-Identifier: MPL-2.0
// core/netconf.h on bad and edge input: acceptance checks and defaults (vl2.md §3.6), every
// binary sub-format (I, RT, DNS, S, R, C, CAP, TAG, COO) cut short, overlong or malformed,
// counts beyond the §3.5 caps, encoder refusals; and randomized configurations round-tripped
// through encode/decode. Values are decoded from exact-size heap scratch so ASan sees overruns.
#include <stdlib.h>
#include <string.h>

#include "inetaddr.h"
#include "netconf.h"
#include "t.h"

static struct weft_netconf nc, nc2;
static uint8_t dict_buf[WEFT_DICT_CAP_NETCONF], dict_buf2[WEFT_DICT_CAP_NETCONF];
static uint8_t scratch[WEFT_DICT_CAP_NETCONF];
static uint8_t blob[1 << 16];

static uint64_t rng_state = 0x4a1f7c03d95b2e68ULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng_state);
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(next_u64() % n);
}

// The three keys a config cannot do without, then optionally one binary value.
static void minimal(struct weft_dict *d, const char *key, const uint8_t *v, size_t n)
{
	weft_dict_init(d, dict_buf, sizeof dict_buf);
	weft_dict_add_u64(d, "v", 7);
	weft_dict_add_u64(d, "nwid", 0x8056c2e21c000001ULL);
	weft_dict_add_string(d, "id", "07d479821e");
	if (key)
		weft_dict_add_bytes(d, key, v, n);
}

// Decodes `d` from an exact-size heap copy with exact-size heap scratch.
static enum weft_result decode_exact(const struct weft_dict *d)
{
	uint8_t *copy = malloc(d->len + 1), *s = malloc(d->len + 1);
	struct weft_dict view;
	memcpy(copy, d->p, d->len);
	weft_dict_view(&view, copy, d->len);
	enum weft_result res = weft_netconf_decode(&nc, &view, s, d->len);
	free(copy);
	free(s);
	return res;
}

static enum weft_result decode_blob(const char *key, const uint8_t *v, size_t n)
{
	struct weft_dict d;
	minimal(&d, key, v, n);
	return decode_exact(&d);
}

static void test_acceptance(void)
{
	struct weft_dict d;
	t_case("acceptance and defaults");
	minimal(&d, NULL, NULL, 0);
	T_CHECK(decode_exact(&d) == WEFT_OK);
	T_CHECK(nc.mtu == WEFT_NETCONF_MTU_DEFAULT && nc.type == WEFT_NETCONF_PRIVATE);
	T_CHECK(!nc.has_com && nc.n_rules == 0 && !strcmp(nc.sso_provider, "default"));
	T_CHECK(nc.issued_to == 0x07d479821eULL && nc.nwid == 0x8056c2e21c000001ULL);
	const char *bad[] = {"nwid=1\nid=2", "v=5\nnwid=1\nid=2", "v=7\nnwid=0\nid=2",
	                     "v=7\nnwid=1", "v=7\nnwid=1\nid=10000000000"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		weft_dict_view(&d, (const uint8_t *)bad[i], strlen(bad[i]));
		T_CHECK_MSG(decode_exact(&d) == WEFT_ERR_INVALID, "accepted %s", bad[i]);
	}
	const char *ok = "v=6\nnwid=1\nid=2\nmtu=10\nt=5\nml=100000002";
	weft_dict_view(&d, (const uint8_t *)ok, strlen(ok));
	T_CHECK(decode_exact(&d) == WEFT_OK && nc.mtu == WEFT_NETCONF_MTU_MIN);
	T_CHECK(nc.type == WEFT_NETCONF_PRIVATE && nc.multicast_limit == 2);
	ok = "v=7\nnwid=1\nid=2\nmtu=fffff\nt=1";
	weft_dict_view(&d, (const uint8_t *)ok, strlen(ok));
	T_CHECK(decode_exact(&d) == WEFT_OK && nc.mtu == WEFT_NETCONF_MTU_MAX);
	T_CHECK(nc.type == WEFT_NETCONF_PUBLIC);
	minimal(&d, "C", NULL, 0);
	T_CHECK(decode_exact(&d) == WEFT_OK && !nc.has_com); // empty binary = absent
}

// Every cut of v[0..n) that does not end on one of the record boundaries is refused.
static void check_cuts(const char *key, const uint8_t *v, size_t n, const size_t *ends, size_t k)
{
	for (size_t cut = 1; cut < n; cut++) {
		bool boundary = false;
		for (size_t i = 0; i < k; i++)
			boundary |= ends[i] == cut;
		enum weft_result res = decode_blob(key, v, cut);
		T_CHECK_MSG(boundary ? res == WEFT_OK : res == WEFT_ERR_INVALID,
		            "%s cut at %zu of %zu: %d", key, cut, n, (int)res);
	}
}

static const uint8_t ip4[] = {0x04, 10, 147, 17, 5, 0x00, 0x18};
static const uint8_t ip6[] = {0x06, 0xfd, 0x80, 0x56, 0xc2, 0xe2, 0x1c, 0,    0,   0,
                              0,    0,    0,    0,    0,    0,    5,    0x00, 0x30};

static void test_static_ips(void)
{
	t_case("I: static IPs");
	memcpy(blob, ip4, sizeof ip4);
	memcpy(blob + sizeof ip4, ip6, sizeof ip6);
	size_t n = sizeof ip4 + sizeof ip6, ends[] = {sizeof ip4};
	T_CHECK(decode_blob("I", blob, n) == WEFT_OK && nc.n_static_ips == 2);
	T_CHECK(nc.static_ips[1].family == WEFT_INET_V6 && nc.static_ips[1].port == 48);
	check_cuts("I", blob, n, ends, 1);
	blob[0] = 0x07; // unknown address type
	T_CHECK(decode_blob("I", blob, n) == WEFT_ERR_INVALID);
	for (unsigned i = 0; i < 40; i++)
		memcpy(blob + i * sizeof ip4, ip4, sizeof ip4);
	T_CHECK(decode_blob("I", blob, 40 * sizeof ip4) == WEFT_OK);
	T_CHECK(nc.n_static_ips == WEFT_NETCONF_MAX_STATIC_IPS);
	const uint8_t reserved[] = {0x01, 1, 2, 3, 4, 5, 6, 0x04, 1, 2, 3, 4, 0, 8};
	T_CHECK(decode_blob("I", reserved, sizeof reserved) == WEFT_OK && nc.n_static_ips == 2);
	T_CHECK(nc.static_ips[0].family == WEFT_INET_NONE && nc.static_ips[1].port == 8);
}

static size_t put_route(uint8_t *p, bool via)
{
	size_t n = 0;
	memcpy(p, ip6, sizeof ip6);
	n += sizeof ip6;
	if (via) {
		memcpy(p + n, ip4, sizeof ip4);
		n += sizeof ip4;
	} else {
		p[n++] = 0;
	}
	memcpy(p + n, "\x00\x01\x00\x02", 4);
	return n + 4;
}

static void test_routes(void)
{
	t_case("RT: routes");
	size_t a = put_route(blob, true);
	size_t n = a + put_route(blob + a, false), ends[] = {a};
	T_CHECK(decode_blob("RT", blob, n) == WEFT_OK && nc.n_routes == 2);
	T_CHECK(nc.routes[0].via.family == WEFT_INET_V4 && nc.routes[1].via.family == 0);
	T_CHECK(nc.routes[1].flags == 1 && nc.routes[1].metric == 2);
	check_cuts("RT", blob, n, ends, 1);
	blob[a] = 0x05; // bad target type in the second route
	T_CHECK(decode_blob("RT", blob, n) == WEFT_ERR_INVALID);
	n = 0;
	for (unsigned i = 0; i < 140; i++)
		n += put_route(blob + n, i & 1);
	T_CHECK(decode_blob("RT", blob, n) == WEFT_OK && nc.n_routes == WEFT_NETCONF_MAX_ROUTES);
}

static void test_dns(void)
{
	t_case("DNS");
	size_t n = 128;
	memset(blob, 'x', 128);
	memcpy(blob + n, ip4, sizeof ip4);
	n += sizeof ip4;
	blob[n++] = 0;
	memcpy(blob + n, ip6, sizeof ip6);
	n += sizeof ip6;
	blob[n++] = 0;
	T_CHECK(decode_blob("DNS", blob, n) == WEFT_OK && strlen(nc.dns.domain) == 127);
	T_CHECK(nc.dns.servers[0].family == WEFT_INET_V4 && nc.dns.servers[2].family == 6);
	T_CHECK(nc.dns.servers[1].family == WEFT_INET_NONE);
	check_cuts("DNS", blob, n, NULL, 0);
	blob[n] = 0x55; // trailing bytes are ignored
	T_CHECK(decode_blob("DNS", blob, n + 1) == WEFT_OK);
	blob[128] = 0x09;
	T_CHECK(decode_blob("DNS", blob, n) == WEFT_ERR_INVALID);
	memcpy(blob, "a\0b", 3); // text after the first NUL is dropped
	memset(blob + 128, 0, 4);
	T_CHECK(decode_blob("DNS", blob, 132) == WEFT_OK && nc.dns.domain[2] == 0);
}

static void test_specialists(void)
{
	t_case("S: specialists");
	for (unsigned i = 0; i < 8 * 300; i++)
		blob[i] = (uint8_t)i;
	T_CHECK(decode_blob("S", blob, 8 * 3 + 5) == WEFT_OK && nc.n_specialists == 3);
	T_CHECK(nc.specialists[1] == 0x08090a0b0c0d0e0fULL);
	T_CHECK(decode_blob("S", blob, 7) == WEFT_OK && nc.n_specialists == 0);
	T_CHECK(decode_blob("S", blob, 8 * 300) == WEFT_OK);
	T_CHECK(nc.n_specialists == WEFT_NETCONF_MAX_SPECIALISTS);
}

static void test_rules(void)
{
	t_case("R: base rules");
	const uint8_t rules[] = {0xa5, 0x02, 0x08, 0x00, 0x01, 0x00};
	size_t ends[] = {4};
	T_CHECK(decode_blob("R", rules, sizeof rules) == WEFT_OK && nc.n_rules == 2);
	check_cuts("R", rules, sizeof rules, ends, 1);
	const uint8_t wrong_len[] = {0x25, 0x03, 0x08, 0x00, 0x00};
	T_CHECK(decode_blob("R", wrong_len, sizeof wrong_len) == WEFT_ERR_INVALID);
	for (unsigned i = 0; i < 1100; i++)
		memcpy(blob + 2 * i, "\x01\x00", 2);
	T_CHECK(decode_blob("R", blob, 2 * 1100) == WEFT_OK);
	T_CHECK(nc.n_rules == WEFT_NETCONF_MAX_RULES);
}

static size_t encode_into(uint8_t *p, size_t cap, void (*enc)(const void *, struct weft_wbuf *),
                          const void *obj)
{
	struct weft_wbuf w;
	wbuf_init(&w, p, cap);
	enc(obj, &w);
	return w.bad ? 0 : w.len;
}

static void enc_cap(const void *o, struct weft_wbuf *w)
{
	weft_cap_encode(o, w);
}
static void enc_tag(const void *o, struct weft_wbuf *w)
{
	weft_tag_encode(o, w);
}
static void enc_coo(const void *o, struct weft_wbuf *w)
{
	weft_coo_encode(o, w);
}
static void enc_com(const void *o, struct weft_wbuf *w)
{
	weft_com_encode(o, w);
}

// `count` copies of one credential; *one receives the length of each.
static size_t repeat(void (*enc)(const void *, struct weft_wbuf *), const void *obj, unsigned count,
                     size_t *one)
{
	*one = encode_into(blob, sizeof blob, enc, obj);
	for (unsigned i = 1; i < count && (i + 1) * *one <= sizeof blob; i++)
		memcpy(blob + i * *one, blob, *one);
	return *one * count;
}

static void test_caps_tags(void)
{
	static struct weft_cap cap;
	static struct weft_tag tag;
	size_t one, n;
	t_case("CAP and TAG: a bad entry ends the list");
	memset(&cap, 0, sizeof cap);
	cap.nwid = 1;
	cap.id = 7;
	cap.max_custody = 1;
	cap.n_rules = 1;
	weft_rule_init(&cap.rules[0], WEFT_RULE_ACTION_ACCEPT, false, false);
	n = repeat(enc_cap, &cap, 2, &one);
	T_CHECK(decode_blob("CAP", blob, n) == WEFT_OK && nc.n_caps == 2 && nc.caps[1].id == 7);
	T_CHECK(decode_blob("CAP", blob, n - 1) == WEFT_OK && nc.n_caps == 1);
	T_CHECK(decode_blob("CAP", blob, one - 1) == WEFT_OK && nc.n_caps == 0);
	n = repeat(enc_cap, &cap, 140, &one);
	T_CHECK(decode_blob("CAP", blob, n) == WEFT_OK && nc.n_caps == WEFT_NETCONF_MAX_CAPS);
	memset(&tag, 0, sizeof tag);
	tag.id = 3;
	tag.value = 9;
	n = repeat(enc_tag, &tag, 3, &one);
	blob[2 * one + 34] ^= 0xff; // signature record type of the third
	T_CHECK(decode_blob("TAG", blob, n) == WEFT_OK && nc.n_tags == 2 && nc.tags[1].value == 9);
	T_CHECK(decode_blob("TAG", blob, one + 10) == WEFT_OK && nc.n_tags == 1);
	n = repeat(enc_tag, &tag, 140, &one);
	T_CHECK(decode_blob("TAG", blob, n) == WEFT_OK && nc.n_tags == WEFT_NETCONF_MAX_TAGS);
}

static void test_coo_com(void)
{
	static struct weft_coo coo;
	static struct weft_com com;
	size_t one, n;
	t_case("COO and C: errors reject the config");
	memset(&coo, 0, sizeof coo);
	coo.id = 1;
	coo.n_things = 2;
	coo.things[0].type = WEFT_COO_THING_IPV4;
	n = repeat(enc_coo, &coo, 6, &one);
	T_CHECK(decode_blob("COO", blob, n) == WEFT_OK && nc.n_coos == WEFT_NETCONF_MAX_COOS);
	T_CHECK(decode_blob("COO", blob, n - 1) == WEFT_ERR_INVALID);
	blob[8 + 8 + 8 + 4] = 0;
	blob[8 + 8 + 8 + 4 + 1] = WEFT_COO_MAX_THINGS + 1; // things count beyond the cap
	T_CHECK(decode_blob("COO", blob, one) == WEFT_ERR_INVALID);
	memset(&com, 0, sizeof com);
	com.n_q = 2;
	com.q[1].id = 1;
	com.signed_by = 0x1122334455ULL;
	n = encode_into(blob, sizeof blob, enc_com, &com);
	T_CHECK(decode_blob("C", blob, n) == WEFT_OK && nc.has_com && nc.com.n_q == 2);
	T_CHECK(decode_blob("C", blob, n - 1) == WEFT_ERR_INVALID);
	blob[2] = WEFT_COM_MAX_QUALIFIERS + 1;
	T_CHECK(decode_blob("C", blob, n) == WEFT_ERR_INVALID);
}

static void test_encode_refusals(void)
{
	struct weft_dict d;
	static uint8_t small[64];
	t_case("encode refusals");
	minimal(&d, NULL, NULL, 0);
	T_CHECK(decode_exact(&d) == WEFT_OK);
	weft_dict_init(&d, dict_buf, sizeof dict_buf);
	T_CHECK(weft_netconf_encode(&nc, &d, scratch, sizeof scratch) == WEFT_OK);
	weft_dict_init(&d, small, sizeof small);
	T_CHECK(weft_netconf_encode(&nc, &d, scratch, sizeof scratch) == WEFT_ERR_TOO_BIG);
	weft_dict_init(&d, dict_buf, sizeof dict_buf);
	T_CHECK(weft_netconf_encode(&nc, &d, scratch, 100) == WEFT_ERR_TOO_BIG); // DNS is 132
	nc.timestamp_ms = -1;
	T_CHECK(weft_netconf_encode(&nc, &d, scratch, sizeof scratch) == WEFT_ERR_INVALID);
	nc.timestamp_ms = 0;
	nc.n_routes = WEFT_NETCONF_MAX_ROUTES + 1;
	T_CHECK(weft_netconf_encode(&nc, &d, scratch, sizeof scratch) == WEFT_ERR_INVALID);
	minimal(&d, "DNS", blob, 200);
	T_CHECK(weft_netconf_decode(&nc, &d, scratch, 150) == WEFT_ERR_TOO_BIG);
}

// ---- Random configurations: every field set as decode would leave it -----------------------

static void rnd_text(char *out, size_t cap)
{
	size_t n = rnd_below((unsigned)cap);
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(1 + rnd_below(255)); // any byte but NUL: escapes get exercised
}

static void rnd_addr(struct weft_inetaddr *a, bool allow_none)
{
	unsigned kind = rnd_below(allow_none ? 3 : 2);
	memset(a, 0, sizeof *a);
	if (kind == 2)
		return;
	a->family = kind ? WEFT_INET_V6 : WEFT_INET_V4;
	for (unsigned i = 0; i < (kind ? 16u : 4u); i++)
		a->ip[i] = (uint8_t)next_u64();
	a->port = (uint16_t)next_u64();
}

static void rnd_rule(struct weft_rule *rule)
{
	static const unsigned types[] = {
	    WEFT_RULE_ACTION_DROP,
	    WEFT_RULE_ACTION_ACCEPT,
	    WEFT_RULE_MATCH_ETHERTYPE,
	    WEFT_RULE_MATCH_IP_PROTOCOL,
	    WEFT_RULE_MATCH_TAGS_EQUAL,
	    WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS,
	    WEFT_RULE_MATCH_IP_DEST_PORT_RANGE,
	};
	weft_rule_init(rule, types[rnd_below(sizeof types / sizeof types[0])], rnd_below(2),
	               rnd_below(2));
	uint64_t r = next_u64();
	switch (weft_rule_type(rule)) {
	case WEFT_RULE_MATCH_ETHERTYPE: rule->v.ethertype = (uint16_t)r; break;
	case WEFT_RULE_MATCH_IP_PROTOCOL: rule->v.ip_protocol = (uint8_t)r; break;
	case WEFT_RULE_MATCH_TAGS_EQUAL:
		rule->v.tag.id = (uint32_t)r;
		rule->v.tag.value = (uint32_t)(r >> 32);
		break;
	case WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS: rule->v.zt = r & 0xffffffffffULL; break;
	case WEFT_RULE_MATCH_IP_DEST_PORT_RANGE:
		rule->v.range.start = (uint16_t)r;
		rule->v.range.end = (uint16_t)(r >> 16);
		break;
	default: break;
	}
}

static void rnd_sig(uint8_t *sig)
{
	for (unsigned i = 0; i < WEFT_SIGNATURE_LEN; i++)
		sig[i] = (uint8_t)next_u64();
}

static uint64_t rnd_addr40(void)
{
	return 1 + next_u64() % 0xfffffffffeULL;
}

static void rnd_com(struct weft_com *com)
{
	uint64_t id = 0;
	com->n_q = rnd_below(WEFT_COM_MAX_QUALIFIERS + 1);
	for (unsigned i = 0; i < com->n_q; i++) {
		id += rnd_below(3);
		com->q[i].id = id;
		com->q[i].value = next_u64();
		com->q[i].max_delta = next_u64();
	}
	if (rnd_below(4)) {
		com->signed_by = rnd_addr40();
		rnd_sig(com->signature);
	}
}

static void rnd_cap(struct weft_cap *cap)
{
	cap->nwid = next_u64();
	cap->timestamp = (int64_t)next_u64();
	cap->id = (uint32_t)next_u64();
	cap->n_rules = rnd_below(WEFT_CAP_MAX_RULES + 1);
	for (unsigned i = 0; i < cap->n_rules; i++)
		rnd_rule(&cap->rules[i]);
	cap->max_custody = (uint8_t)(1 + rnd_below(WEFT_CAP_MAX_CUSTODY));
	cap->n_custody = rnd_below(cap->max_custody + 1u);
	for (unsigned i = 0; i < cap->n_custody; i++) {
		cap->custody[i].to = rnd_addr40();
		cap->custody[i].from = next_u64() & 0xffffffffffULL;
		rnd_sig(cap->custody[i].signature);
	}
}

static void rnd_tag(struct weft_tag *tag)
{
	tag->nwid = next_u64();
	tag->timestamp = (int64_t)next_u64();
	tag->id = (uint32_t)next_u64();
	tag->value = (uint32_t)next_u64();
	tag->issued_to = next_u64() & 0xffffffffffULL;
	tag->signed_by = next_u64() & 0xffffffffffULL;
	rnd_sig(tag->signature);
}

static void rnd_coo(struct weft_coo *coo)
{
	coo->nwid = next_u64();
	coo->timestamp = (int64_t)next_u64();
	coo->flags = next_u64();
	coo->id = (uint32_t)next_u64();
	coo->n_things = rnd_below(WEFT_COO_MAX_THINGS + 1);
	for (unsigned i = 0; i < coo->n_things; i++) {
		coo->things[i].type = (uint8_t)rnd_below(4);
		for (unsigned k = 0; k < WEFT_COO_THING_LEN; k++)
			coo->things[i].value[k] = (uint8_t)next_u64();
	}
	coo->issued_to = next_u64() & 0xffffffffffULL;
	coo->signed_by = next_u64() & 0xffffffffffULL;
	rnd_sig(coo->signature);
}

static void rnd_scalars(struct weft_netconf *c)
{
	c->nwid = 1 + next_u64() % UINT64_MAX;
	c->timestamp_ms = (int64_t)(next_u64() >> 1);
	c->credential_time_max_delta_ms = (int64_t)(next_u64() >> 1);
	c->revision = next_u64();
	c->issued_to = rnd_addr40();
	c->remote_trace_target = next_u64() & 0xffffffffffULL;
	c->remote_trace_level = next_u64();
	c->flags = next_u64();
	c->multicast_limit = (uint32_t)next_u64();
	c->mtu = WEFT_NETCONF_MTU_MIN + rnd_below(WEFT_NETCONF_MTU_MAX - WEFT_NETCONF_MTU_MIN + 1);
	c->type = (uint8_t)rnd_below(2);
	rnd_text(c->name, sizeof c->name);
}

// What the writer carries for each SSO version (decode leaves the rest at their defaults).
static void rnd_sso(struct weft_netconf *c)
{
	c->sso_version = rnd_below(3);
	c->sso_enabled = rnd_below(2);
	memcpy(c->sso_provider, "default", sizeof "default");
	if (c->sso_version == 0 && c->sso_enabled) {
		rnd_text(c->authentication_url, sizeof c->authentication_url);
		c->authentication_expiry_time_ms = (int64_t)(next_u64() >> 1);
	} else if (c->sso_version == 1) {
		rnd_text(c->issuer_url, sizeof c->issuer_url);
		rnd_text(c->central_endpoint_url, sizeof c->central_endpoint_url);
		rnd_text(c->sso_nonce, sizeof c->sso_nonce);
		rnd_text(c->sso_state, sizeof c->sso_state);
		rnd_text(c->sso_client_id, sizeof c->sso_client_id);
		memset(c->sso_provider, 0, sizeof c->sso_provider);
		rnd_text(c->sso_provider, sizeof c->sso_provider);
	}
}

static void rnd_lists(struct weft_netconf *c)
{
	c->n_caps = rnd_below(4);
	for (unsigned i = 0; i < c->n_caps; i++)
		rnd_cap(&c->caps[i]);
	c->n_tags = rnd_below(6);
	for (unsigned i = 0; i < c->n_tags; i++)
		rnd_tag(&c->tags[i]);
	c->n_coos = rnd_below(WEFT_NETCONF_MAX_COOS + 1);
	for (unsigned i = 0; i < c->n_coos; i++)
		rnd_coo(&c->coos[i]);
	c->n_specialists = rnd_below(WEFT_NETCONF_MAX_SPECIALISTS + 1);
	for (unsigned i = 0; i < c->n_specialists; i++)
		c->specialists[i] = next_u64();
	c->n_routes = rnd_below(WEFT_NETCONF_MAX_ROUTES + 1);
	for (unsigned i = 0; i < c->n_routes; i++) {
		rnd_addr(&c->routes[i].target, false);
		rnd_addr(&c->routes[i].via, true);
		c->routes[i].flags = (uint16_t)next_u64();
		c->routes[i].metric = (uint16_t)next_u64();
	}
	c->n_static_ips = rnd_below(WEFT_NETCONF_MAX_STATIC_IPS + 1);
	for (unsigned i = 0; i < c->n_static_ips; i++)
		rnd_addr(&c->static_ips[i], true);
	c->n_rules = rnd_below(200);
	for (unsigned i = 0; i < c->n_rules; i++)
		rnd_rule(&c->rules[i]);
}

static void random_netconf(struct weft_netconf *c)
{
	memset(c, 0, sizeof *c);
	rnd_scalars(c);
	c->has_com = rnd_below(2);
	if (c->has_com)
		rnd_com(&c->com);
	rnd_lists(c);
	rnd_text(c->dns.domain, sizeof c->dns.domain);
	for (unsigned i = 0; i < WEFT_NETCONF_MAX_DNS_SERVERS; i++)
		rnd_addr(&c->dns.servers[i], true);
	rnd_sso(c);
}

static void test_round_trip(void)
{
	t_case("random configurations round-trip");
	for (unsigned iter = 0; iter < 60; iter++) {
		struct weft_dict d, d2;
		random_netconf(&nc2);
		weft_dict_init(&d, dict_buf, sizeof dict_buf);
		enum weft_result res = weft_netconf_encode(&nc2, &d, scratch, sizeof scratch);
		T_CHECK_MSG(res == WEFT_OK, "iteration %u: encode %d", iter, (int)res);
		res = decode_exact(&d);
		T_CHECK_MSG(res == WEFT_OK, "iteration %u: decode %d", iter, (int)res);
		T_CHECK_MSG(!memcmp(&nc, &nc2, sizeof nc), "iteration %u: structs differ", iter);
		weft_dict_init(&d2, dict_buf2, sizeof dict_buf2);
		T_CHECK(weft_netconf_encode(&nc, &d2, scratch, sizeof scratch) == WEFT_OK);
		T_CHECK(d2.len == d.len && !memcmp(dict_buf, dict_buf2, d.len));
	}
}

int main(void)
{
	t_init("unit/netconf");
	test_acceptance();
	test_static_ips();
	test_routes();
	test_dns();
	test_specialists();
	test_rules();
	test_caps_tags();
	test_coo_com();
	test_encode_refusals();
	test_round_trip();
	return t_done();
}
