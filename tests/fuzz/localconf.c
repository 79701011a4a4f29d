// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for local.conf (service/localconf.h, service.md §4). Input: the file's
// bytes. A refusal must leave the defaults and one non-empty line; an accepted file must hold
// only in-range values, answer the path and access questions consistently for its own
// networks and for addresses taken from the input, and read back the same after json_dumps.
#include <string.h>

#include "check.h"
#include "localconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct weft_localconf conf, again, defaults;

static bool net_ok(const struct weft_localconf_net *n)
{
	return (n->ip.family == WEFT_INET_V4 && n->bits <= 32) ||
	       (n->ip.family == WEFT_INET_V6 && n->bits <= 128);
}

// A network holds its own address, except an IPv6 network under 96 bits at a v4-mapped
// address: v4-mapped addresses are compared as IPv4, and IPv6 networks hold no IPv4.
static bool holds_own_ip(const struct weft_localconf_net *n)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	return !(n->ip.family == WEFT_INET_V6 && n->bits < 96 && !memcmp(n->ip.ip, mapped, 12));
}

static bool ip_ok(const struct weft_inetaddr *a)
{
	return a->family == WEFT_INET_V4 || a->family == WEFT_INET_V6;
}

static bool port_ok(long p)
{
	return p == -1 || (p >= 0 && p <= 65535);
}

static void check_settings(const struct weft_localconf *c)
{
	CHECK(json_is_object(c->raw));
	CHECK(port_ok(c->primary_port) && port_ok(c->secondary_port) && port_ok(c->tertiary_port));
	CHECK(!c->force_tcp_relay);
	CHECK(!c->have_tcp_relay || ip_ok(&c->tcp_relay));
	CHECK(c->concurrency == 0 || (c->concurrency >= 1 && c->concurrency <= 1024));
	CHECK(!c->controller_db_path ||
	      (*c->controller_db_path && strncmp(c->controller_db_path, "postgres:", 9)));
	CHECK(c->n_bind <= WEFT_LOCALCONF_MAX_LIST &&
	      c->n_if_blacklist <= WEFT_LOCALCONF_MAX_LIST && c->n_mgmt <= WEFT_LOCALCONF_MAX_LIST);
	for (unsigned i = 0; i < c->n_bind; i++)
		CHECK(ip_ok(&c->bind[i]) && c->bind[i].port == 0);
	for (unsigned i = 0; i < c->n_if_blacklist; i++) {
		size_t n = strnlen(c->if_blacklist[i], WEFT_LOCALCONF_PREFIX_MAX);
		CHECK(n > 0 && n < WEFT_LOCALCONF_PREFIX_MAX);
		CHECK(weft_localconf_if_blacklisted(c, c->if_blacklist[i]));
	}
	for (unsigned i = 0; i < c->n_mgmt; i++) {
		CHECK(net_ok(&c->mgmt[i]));
		CHECK(weft_localconf_net_contains(&c->mgmt[i], &c->mgmt[i].ip) ==
		      holds_own_ip(&c->mgmt[i]));
		if (holds_own_ip(&c->mgmt[i]))
			CHECK(weft_localconf_mgmt_allowed(c, &c->mgmt[i].ip));
	}
}

static void check_physical(const struct weft_localconf *c)
{
	CHECK(c->n_physical <= WEFT_LOCALCONF_MAX_PHYSICAL);
	for (unsigned i = 0; i < c->n_physical; i++) {
		const struct weft_localconf_physical *p = &c->physical[i];
		CHECK(net_ok(&p->net) && (!p->blacklist || p->net.bits > 0));
		CHECK(p->mtu == 0 || (p->mtu >= 1280 && p->mtu <= 10000));
		CHECK(p->trusted_path_id <= INT64_MAX);
		const struct weft_localconf_physical *best =
		    weft_localconf_physical_for(c, &p->net.ip);
		CHECK(!best || weft_localconf_net_contains(&best->net, &p->net.ip));
		if (!holds_own_ip(&p->net))
			continue;
		CHECK(best != NULL);
		if (p->blacklist)
			CHECK(!weft_localconf_path_allowed(c, 1, &p->net.ip));
	}
}

static void check_virtual(const struct weft_localconf *c)
{
	CHECK(c->n_virtual <= WEFT_LOCALCONF_MAX_VIRTUAL);
	for (unsigned i = 0; i < c->n_virtual; i++) {
		const struct weft_localconf_virtual *v = &c->virt[i];
		CHECK(v->address && v->address < (1ULL << 40));
		for (unsigned k = 0; k < i; k++)
			CHECK(c->virt[k].address != v->address);
		CHECK(v->n_try <= WEFT_LOCALCONF_MAX_LIST &&
		      v->n_blacklist <= WEFT_LOCALCONF_MAX_LIST);
		for (unsigned k = 0; k < v->n_try; k++)
			CHECK(ip_ok(&v->try_addrs[k]) && v->try_addrs[k].port != 0);
		for (unsigned k = 0; k < v->n_blacklist; k++) {
			CHECK(net_ok(&v->blacklist[k]));
			if (holds_own_ip(&v->blacklist[k]))
				CHECK(!weft_localconf_path_allowed(c, v->address,
				                                   &v->blacklist[k].ip));
		}
	}
}

// The queries on addresses cut from the input: IPv4, IPv6 and IPv4-mapped IPv6.
static void check_queries(const struct weft_localconf *c, const uint8_t *data, size_t size)
{
	uint8_t b[16] = {0}, mapped[16] = {[10] = 0xff, [11] = 0xff};
	struct weft_inetaddr a[3];
	memcpy(b, data, size < 16 ? size : 16);
	memcpy(mapped + 12, b, 4);
	weft_inetaddr_set_v4(&a[0], b, 9993);
	weft_inetaddr_set_v6(&a[1], b, 9993);
	weft_inetaddr_set_v6(&a[2], mapped, 9993);
	for (int i = 0; i < 3; i++) {
		const struct weft_localconf_physical *p = weft_localconf_physical_for(c, &a[i]);
		CHECK(!p || weft_localconf_net_contains(&p->net, &a[i]));
		if (p && p->blacklist)
			CHECK(!weft_localconf_path_allowed(c, 1, &a[i]));
		(void)weft_localconf_mgmt_allowed(c, &a[i]);
		if (c->n_virtual)
			(void)weft_localconf_path_allowed(c, c->virt[0].address, &a[i]);
	}
	// a[2] maps a[0]'s four bytes: both forms get the same answers.
	CHECK(weft_localconf_mgmt_allowed(c, &a[0]) == weft_localconf_mgmt_allowed(c, &a[2]));
	CHECK(weft_localconf_physical_for(c, &a[0]) == weft_localconf_physical_for(c, &a[2]));
	CHECK(weft_localconf_path_allowed(c, 1, &a[0]) == weft_localconf_path_allowed(c, 1, &a[2]));
}

// json_dumps of raw parses to the same settings.
static void check_round_trip(const struct weft_localconf *c)
{
	char err[WEFT_LOCALCONF_ERR_MAX];
	char *text = json_dumps(c->raw, JSON_COMPACT);
	CHECK(text != NULL);
	CHECK(weft_localconf_parse(text, strlen(text), &again, err, sizeof err) == 0);
	free(text);
	json_t *raw = again.raw;
	char *db = again.controller_db_path;
	CHECK((db == NULL) == (c->controller_db_path == NULL));
	CHECK(!db || !strcmp(db, c->controller_db_path));
	again.raw = c->raw;
	again.controller_db_path = c->controller_db_path;
	CHECK(!memcmp(&again, c, sizeof again));
	again.raw = raw;
	again.controller_db_path = db;
	weft_localconf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[WEFT_LOCALCONF_ERR_MAX];
	if (size > 1 << 16)
		return 0;
	if (!defaults.allow_secondary_port)
		weft_localconf_defaults(&defaults);
	char *copy = malloc(size ? size : 1); // exact size: ASan sees any over-read
	CHECK(copy != NULL);
	if (size)
		memcpy(copy, data, size);
	memset(err, 'x', sizeof err);
	int r = weft_localconf_parse(copy, size, &conf, err, sizeof err);
	free(copy);
	if (r != 0) {
		CHECK(r == -1);
		size_t n = strnlen(err, sizeof err);
		CHECK(n > 0 && n < sizeof err);
		for (size_t i = 0; i < n; i++)
			CHECK((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
		CHECK(strstr(err, ": ") != NULL);
		CHECK(!memcmp(&conf, &defaults, sizeof conf));
		weft_localconf_free(&conf);
		return 0;
	}
	check_settings(&conf);
	check_physical(&conf);
	check_virtual(&conf);
	check_queries(&conf, data, size);
	check_round_trip(&conf);
	weft_localconf_free(&conf);
	CHECK(conf.raw == NULL && conf.controller_db_path == NULL);
	return 0;
}
