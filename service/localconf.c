// SPDX-License-Identifier: MPL-2.0
// local.conf (service.md §4) checked into struct weft_localconf, and the questions the service
// asks of it: may this source use the API (§2.2), may the node use this path, which `physical`
// network holds an address. Every refusal names the JSON path of the value at fault; a JSON null
// where a setting goes counts as "not set" (POST /config/settings can write one), elsewhere it
// is a value of the wrong type.
#include "localconf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 512 // a JSON path in a message; long keys are cut (see quote_key)
#define KEY_SHOWN    48  // bytes of a quoted object key shown in a path
#define PORT_ERR     "must be an integer from 0 to 65535"
#define BOOL_ERR     "must be true or false"
#define NET_ERR      "not a network (ip/bits)"
#define IP_PORT_ERR  "not an IP address with a port (ip/port)"
#define TRUSTED_ERR  "must be an integer from 0 to 9223372036854775807"

// Where a refusal goes.
struct ctx {
	char *err;
	size_t err_cap;
};

// One item parser for a list of strings: 0, or what is wrong with `s`.
typedef const char *(*item_fn)(const char *s, void *dst);

static int fail(struct ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Writes "path: what" as one line (a control byte in a quoted key or in the JSON parser's
// text becomes '?') and returns -1.
static int fail(struct ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	if (!c->err || !c->err_cap)
		return -1;
	int n = snprintf(c->err, c->err_cap, "%s: ", path);
	if (n >= 0 && (size_t)n < c->err_cap) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->err_cap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	for (char *p = c->err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

// `"key"` with JSON escapes for '"', '\\' and control bytes, cut once KEY_SHOWN bytes are
// written so that the message after the path still fits WEFT_LOCALCONF_ERR_MAX.
static void quote_key(char *out, size_t cap, const char *key)
{
	size_t o = 0, i;
	out[o++] = '"';
	for (i = 0; key[i] && o <= KEY_SHOWN && o + 8 < cap; i++) {
		unsigned char ch = (unsigned char)key[i];
		if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
		else
			out[o++] = (char)ch;
	}
	if (key[i] && o + 5 < cap)
		o += (size_t)snprintf(out + o, cap - o, "...");
	out[o++] = '"';
	out[o] = 0;
}

// ---- Text forms ---------------------------------------------------------------------------

// True if s is 1..max_digits decimal digits and nothing else; *v gets the value.
static bool digits(const char *s, size_t max_digits, unsigned long *v)
{
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n > max_digits || s[n])
		return false;
	*v = strtoul(s, NULL, 10);
	return true;
}

// "ip/bits" into a network; 0 or what is wrong.
static const char *parse_net(const char *s, struct weft_localconf_net *net)
{
	char ip[INET6_ADDRSTRLEN + 1];
	uint8_t bytes[16];
	unsigned long bits;
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : 0;
	if (n == 0 || n >= sizeof ip || !digits(slash + 1, 3, &bits))
		return NET_ERR;
	memcpy(ip, s, n);
	ip[n] = 0;
	memset(net, 0, sizeof *net);
	if (inet_pton(AF_INET, ip, bytes) == 1) {
		if (bits > 32)
			return "prefix length must be from 0 to 32";
		weft_inetaddr_set_v4(&net->ip, bytes, 0);
	} else if (inet_pton(AF_INET6, ip, bytes) == 1) {
		if (bits > 128)
			return "prefix length must be from 0 to 128";
		weft_inetaddr_set_v6(&net->ip, bytes, 0);
	} else {
		return NET_ERR;
	}
	net->bits = (unsigned)bits;
	return NULL;
}

// "ip/port", strictly: one '/', then 1..5 digits.
static const char *parse_ip_port(const char *s, struct weft_inetaddr *a)
{
	unsigned long port;
	const char *slash = strchr(s, '/');
	if (!slash || !digits(slash + 1, 5, &port) || port > 65535 ||
	    !weft_inetaddr_from_string(a, s))
		return IP_PORT_ERR;
	return NULL;
}

static const char *item_ip(const char *s, void *dst)
{
	if (strchr(s, '/') || !weft_inetaddr_from_string(dst, s))
		return "not an IP address";
	return NULL;
}

_Static_assert(WEFT_LOCALCONF_PREFIX_MAX == 32, "item_prefix's message names the limit");

static const char *item_prefix(const char *s, void *dst)
{
	size_t n = strlen(s);
	if (n == 0)
		return "must not be empty";
	if (n >= WEFT_LOCALCONF_PREFIX_MAX)
		return "longer than 31 bytes";
	memcpy(dst, s, n + 1);
	return NULL;
}

static const char *item_net(const char *s, void *dst)
{
	return parse_net(s, dst);
}

static const char *item_try(const char *s, void *dst)
{
	const char *why = parse_ip_port(s, dst);
	if (!why && ((struct weft_inetaddr *)dst)->port == 0)
		why = "port must not be 0";
	return why;
}

// A node address: exactly 10 hex digits, not 0.
static const char *parse_address(const char *s, uint64_t *addr)
{
	if (strlen(s) != 10 || strspn(s, "0123456789abcdefABCDEF") != 10)
		return "not a node address (10 hex digits)";
	*addr = strtoull(s, NULL, 16);
	return *addr ? NULL : "node address must not be 0";
}

// ---- Typed values -------------------------------------------------------------------------

static int get_bool(struct ctx *c, const json_t *v, const char *path, bool *dst)
{
	if (!json_is_boolean(v))
		return fail(c, path, BOOL_ERR);
	*dst = json_is_true(v);
	return 0;
}

// An integer in [lo, hi] into *dst.
static int get_int(struct ctx *c, const json_t *v, const char *path, json_int_t lo, json_int_t hi,
                   const char *why, json_int_t *dst)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return fail(c, path, "%s", why);
	*dst = json_integer_value(v);
	return 0;
}

// A JSON array of strings, each turned by fn into dst[i] (elements of `size` bytes), at most
// `max` of them.
static int get_list(struct ctx *c, const json_t *v, const char *path, item_fn fn, void *dst,
                    size_t size, size_t max, unsigned *n)
{
	size_t i;
	const json_t *e;
	char where[PATH_MAX_LEN + 24];
	if (!json_is_array(v))
		return fail(c, path, "must be an array");
	if (json_array_size(v) > max)
		return fail(c, path, "more than %zu entries", max);
	json_array_foreach (v, i, e) {
		snprintf(where, sizeof where, "%s[%zu]", path, i);
		if (!json_is_string(e))
			return fail(c, where, "must be a string");
		const char *why = fn(json_string_value(e), (char *)dst + i * size);
		if (why)
			return fail(c, where, "%s", why);
	}
	*n = (unsigned)json_array_size(v);
	return 0;
}

// ---- settings (§4.1) ----------------------------------------------------------------------

#define FIELD(f) offsetof(struct weft_localconf, f)
#define CHECKED  ((size_t)-1) // a setting that is checked but has nothing to fill

static const struct {
	const char *key;
	size_t off;
} bool_settings[] = {
    {"allowSecondaryPort", FIELD(allow_secondary_port)},
    {"portMappingEnabled", FIELD(port_mapping)},
    {"allowTcpFallbackRelay", FIELD(allow_tcp_fallback_relay)},
    {"forceTcpRelay", FIELD(force_tcp_relay)},
    {"lowBandwidthMode", FIELD(low_bandwidth)},
    {"multicoreEnabled", FIELD(multicore)},
    {"cpuPinningEnabled", FIELD(cpu_pinning)},
    {"enableWebServer", FIELD(web_server)},
    {"softwareUpdateDist", CHECKED},
};

static const struct {
	const char *key;
	size_t off;
} port_settings[] = {
    {"primaryPort", FIELD(primary_port)},
    {"secondaryPort", FIELD(secondary_port)},
    {"tertiaryPort", FIELD(tertiary_port)},
};

// Settings refused rather than ignored: a file asking for them expects behaviour weft lacks.
static const struct {
	const char *key;
	const char *why;
} refused_settings[] = {
    {"defaultBondingPolicy", "multipath bonding is not supported by weft"},
    {"policies", "multipath bonding is not supported by weft"},
    {"peerSpecificBonds", "multipath bonding is not supported by weft"},
    {"controllerDb", "alternative controller back ends are not supported by weft"},
};

static const char *const string_settings[] = {"softwareUpdate", "softwareUpdateChannel",
                                              "ssoRedirectURL"};

// settings.<key>, or NULL when absent or null.
static const json_t *setting(const json_t *st, const char *key, char *path, size_t cap)
{
	const json_t *v = json_object_get(st, key);
	snprintf(path, cap, "settings.%s", key);
	return json_is_null(v) ? NULL : v;
}

static int parse_scalars(struct ctx *c, const json_t *st, struct weft_localconf *out)
{
	char path[PATH_MAX_LEN];
	const json_t *v;
	json_int_t i;
	for (size_t k = 0; k < sizeof port_settings / sizeof *port_settings; k++) {
		if (!(v = setting(st, port_settings[k].key, path, sizeof path)))
			continue;
		if (get_int(c, v, path, 0, 65535, PORT_ERR, &i))
			return -1;
		*(long *)((char *)out + port_settings[k].off) = (long)i;
	}
	for (size_t k = 0; k < sizeof bool_settings / sizeof *bool_settings; k++) {
		bool b = false;
		if (!(v = setting(st, bool_settings[k].key, path, sizeof path)))
			continue;
		if (get_bool(c, v, path, &b))
			return -1;
		if (bool_settings[k].off != CHECKED)
			*(bool *)((char *)out + bool_settings[k].off) = b;
	}
	if (out->force_tcp_relay)
		return fail(c, "settings.forceTcpRelay", "weft has no TCP relay client");
	if ((v = setting(st, "concurrency", path, sizeof path))) {
		if (get_int(c, v, path, 1, 1024, "must be an integer from 1 to 1024", &i))
			return -1;
		out->concurrency = (long)i;
	}
	for (size_t k = 0; k < sizeof string_settings / sizeof *string_settings; k++)
		if ((v = setting(st, string_settings[k], path, sizeof path)) && !json_is_string(v))
			return fail(c, path, "must be a string");
	for (size_t k = 0; k < sizeof refused_settings / sizeof *refused_settings; k++)
		if (setting(st, refused_settings[k].key, path, sizeof path))
			return fail(c, path, "%s", refused_settings[k].why);
	return 0;
}

static int parse_strings(struct ctx *c, const json_t *st, struct weft_localconf *out)
{
	char path[PATH_MAX_LEN];
	const json_t *v;
	if ((v = setting(st, "tcpFallbackRelay", path, sizeof path))) {
		if (!json_is_string(v))
			return fail(c, path, "must be a string");
		const char *why = parse_ip_port(json_string_value(v), &out->tcp_relay);
		if (why)
			return fail(c, path, "%s", why);
		out->have_tcp_relay = true;
	}
	if ((v = setting(st, "controllerDbPath", path, sizeof path))) {
		const char *s = json_string_value(v);
		if (!s || !*s)
			return fail(c, path, "must be a non-empty string");
		if (!strncmp(s, "postgres:", 9))
			return fail(c, path, "PostgreSQL back end not built in");
		if (!(out->controller_db_path = strdup(s)))
			return fail(c, path, "out of memory");
	}
	return 0;
}

static int parse_lists(struct ctx *c, const json_t *st, struct weft_localconf *out)
{
	char path[PATH_MAX_LEN];
	const json_t *v;
	if ((v = setting(st, "bind", path, sizeof path)) &&
	    get_list(c, v, path, item_ip, out->bind, sizeof *out->bind, WEFT_LOCALCONF_MAX_LIST,
	             &out->n_bind))
		return -1;
	if ((v = setting(st, "interfacePrefixBlacklist", path, sizeof path)) &&
	    get_list(c, v, path, item_prefix, out->if_blacklist, sizeof *out->if_blacklist,
	             WEFT_LOCALCONF_MAX_LIST, &out->n_if_blacklist))
		return -1;
	if ((v = setting(st, "allowManagementFrom", path, sizeof path)) &&
	    get_list(c, v, path, item_net, out->mgmt, sizeof *out->mgmt, WEFT_LOCALCONF_MAX_LIST,
	             &out->n_mgmt))
		return -1;
	return 0;
}

static int parse_settings(struct ctx *c, const json_t *st, struct weft_localconf *out)
{
	if (!st)
		return 0;
	if (!json_is_object(st))
		return fail(c, "settings", "must be an object");
	if (parse_scalars(c, st, out) || parse_strings(c, st, out) || parse_lists(c, st, out))
		return -1;
	return 0;
}

// ---- physical (§4.2) and virtual (§4.3) ---------------------------------------------------

// A member of an entry object, or NULL when absent or null; `path` gets "<at>.<key>".
static const json_t *member(const json_t *o, const char *at, const char *key, char *path,
                            size_t cap)
{
	const json_t *v = json_object_get(o, key);
	snprintf(path, cap, "%s.%s", at, key);
	return json_is_null(v) ? NULL : v;
}

static int parse_physical_entry(struct ctx *c, const char *key, const json_t *o, const char *at,
                                struct weft_localconf_physical *p)
{
	char path[PATH_MAX_LEN + 32];
	const json_t *v;
	json_int_t i;
	const char *why = parse_net(key, &p->net);
	if (why)
		return fail(c, at, "%s", why);
	if (!json_is_object(o))
		return fail(c, at, "must be an object");
	if ((v = member(o, at, "blacklist", path, sizeof path))) {
		if (get_bool(c, v, path, &p->blacklist))
			return -1;
		if (p->blacklist && p->net.bits == 0)
			return fail(c, path, "a blacklisted network needs a prefix length above 0");
	}
	if ((v = member(o, at, "trustedPathId", path, sizeof path))) {
		if (get_int(c, v, path, 0, INT64_MAX, TRUSTED_ERR, &i))
			return -1;
		p->trusted_path_id = (uint64_t)i;
	}
	if ((v = member(o, at, "mtu", path, sizeof path))) {
		if (get_int(c, v, path, 0, 10000, "must be 0 or from 1280 to 10000", &i))
			return -1;
		if (i != 0 && i < 1280)
			return fail(c, path, "must be 0 or from 1280 to 10000");
		p->mtu = (unsigned)i;
	}
	return 0;
}

static int parse_physical(struct ctx *c, const json_t *phys, struct weft_localconf *out)
{
	const char *key;
	const json_t *o;
	char at[PATH_MAX_LEN], q[PATH_MAX_LEN / 2];
	if (!phys)
		return 0;
	if (!json_is_object(phys))
		return fail(c, "physical", "must be an object");
	if (json_object_size(phys) > WEFT_LOCALCONF_MAX_PHYSICAL)
		return fail(c, "physical", "more than %d entries", WEFT_LOCALCONF_MAX_PHYSICAL);
	json_object_foreach ((json_t *)phys, key, o) {
		quote_key(q, sizeof q, key);
		snprintf(at, sizeof at, "physical[%s]", q);
		if (parse_physical_entry(c, key, o, at, &out->physical[out->n_physical]))
			return -1;
		out->n_physical++;
	}
	return 0;
}

static int parse_virtual_entry(struct ctx *c, const char *key, const json_t *o, const char *at,
                               struct weft_localconf *out)
{
	char path[PATH_MAX_LEN + 32];
	const json_t *v;
	struct weft_localconf_virtual *e = &out->virt[out->n_virtual];
	const char *why = parse_address(key, &e->address);
	if (why)
		return fail(c, at, "%s", why);
	for (unsigned k = 0; k < out->n_virtual; k++)
		if (out->virt[k].address == e->address)
			return fail(c, at, "same address as an earlier entry");
	if (!json_is_object(o))
		return fail(c, at, "must be an object");
	if ((v = member(o, at, "try", path, sizeof path)) &&
	    get_list(c, v, path, item_try, e->try_addrs, sizeof *e->try_addrs,
	             WEFT_LOCALCONF_MAX_LIST, &e->n_try))
		return -1;
	if ((v = member(o, at, "blacklist", path, sizeof path)) &&
	    get_list(c, v, path, item_net, e->blacklist, sizeof *e->blacklist,
	             WEFT_LOCALCONF_MAX_LIST, &e->n_blacklist))
		return -1;
	return 0;
}

static int parse_virtual(struct ctx *c, const json_t *virt, struct weft_localconf *out)
{
	const char *key;
	const json_t *o;
	char at[PATH_MAX_LEN], q[PATH_MAX_LEN / 2];
	if (!virt)
		return 0;
	if (!json_is_object(virt))
		return fail(c, "virtual", "must be an object");
	if (json_object_size(virt) > WEFT_LOCALCONF_MAX_VIRTUAL)
		return fail(c, "virtual", "more than %d entries", WEFT_LOCALCONF_MAX_VIRTUAL);
	json_object_foreach ((json_t *)virt, key, o) {
		quote_key(q, sizeof q, key);
		snprintf(at, sizeof at, "virtual[%s]", q);
		if (parse_virtual_entry(c, key, o, at, out))
			return -1;
		out->n_virtual++;
	}
	return 0;
}

// ---- Entry points -------------------------------------------------------------------------

void weft_localconf_defaults(struct weft_localconf *out)
{
	memset(out, 0, sizeof *out);
	out->primary_port = out->secondary_port = out->tertiary_port = -1;
	out->allow_secondary_port = true;
	out->port_mapping = true;
	out->allow_tcp_fallback_relay = true;
}

// A section of the top level, or NULL when absent or null.
static const json_t *section(const json_t *root, const char *key)
{
	const json_t *v = json_object_get(root, key);
	return json_is_null(v) ? NULL : v;
}

int weft_localconf_from_json(json_t *root, struct weft_localconf *out, char *err, size_t err_cap)
{
	struct ctx c = {.err = err, .err_cap = err_cap};
	weft_localconf_defaults(out);
	if (err && err_cap)
		err[0] = 0;
	if (!json_is_object(root)) {
		fail(&c, "top level", "must be a JSON object");
		return -1;
	}
	if (parse_settings(&c, section(root, "settings"), out) ||
	    parse_physical(&c, section(root, "physical"), out) ||
	    parse_virtual(&c, section(root, "virtual"), out)) {
		weft_localconf_free(out);
		return -1;
	}
	out->raw = json_incref(root);
	return 0;
}

int weft_localconf_parse(const char *text, size_t len, struct weft_localconf *out, char *err,
                         size_t err_cap)
{
	json_error_t je;
	char where[48];
	struct ctx c = {.err = err, .err_cap = err_cap};
	weft_localconf_defaults(out);
	json_t *root = json_loadb(text ? text : "", text ? len : 0,
	                          JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!root) {
		snprintf(where, sizeof where, "line %d column %d", je.line, je.column);
		return fail(&c, where, "%s", je.text);
	}
	int r = weft_localconf_from_json(root, out, err, err_cap);
	json_decref(root);
	return r;
}

void weft_localconf_free(struct weft_localconf *c)
{
	json_decref(c->raw);
	free(c->controller_db_path);
	weft_localconf_defaults(c);
}

// ---- Queries ------------------------------------------------------------------------------

// An address or network reduced to what is compared: IPv4-mapped IPv6 (::ffff:a.b.c.d, and a
// mapped network of 96 bits or more) as the IPv4 it carries. Family 0 when unusable.
struct cmp_form {
	uint8_t family;
	const uint8_t *ip;
	unsigned bits;
};

static const uint8_t v4_mapped[12] = {[10] = 0xff, [11] = 0xff};

static struct cmp_form cmp_form(const struct weft_inetaddr *a, unsigned bits)
{
	struct cmp_form f = {a->family, a->ip, bits};
	if (a->family == WEFT_INET_V6 && bits >= 96 && !memcmp(a->ip, v4_mapped, 12))
		f = (struct cmp_form){WEFT_INET_V4, a->ip + 12, bits - 96};
	if (f.family != WEFT_INET_V4 && f.family != WEFT_INET_V6)
		f.family = 0;
	if (f.bits > (f.family == WEFT_INET_V4 ? 32u : 128u))
		f.family = 0;
	return f;
}

// An address as a network of one host.
static struct cmp_form addr_form(const struct weft_inetaddr *a)
{
	return cmp_form(a, a->family == WEFT_INET_V4 ? 32 : 128);
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;
	if (memcmp(a, b, whole))
		return false;
	return !rest || !((a[whole] ^ b[whole]) & (uint8_t)(0xff00u >> rest));
}

bool weft_localconf_net_contains(const struct weft_localconf_net *net,
                                 const struct weft_inetaddr *ip)
{
	struct cmp_form n = cmp_form(&net->ip, net->bits), a = addr_form(ip);
	return n.family && n.family == a.family && prefix_equal(n.ip, a.ip, n.bits);
}

bool weft_localconf_mgmt_allowed(const struct weft_localconf *c, const struct weft_inetaddr *from)
{
	static const uint8_t loopback6[16] = {[15] = 1};
	struct cmp_form a = addr_form(from);
	if ((a.family == WEFT_INET_V4 && a.ip[0] == 127) ||
	    (a.family == WEFT_INET_V6 && !memcmp(a.ip, loopback6, 16)))
		return true;
	for (unsigned i = 0; i < c->n_mgmt && i < WEFT_LOCALCONF_MAX_LIST; i++)
		if (weft_localconf_net_contains(&c->mgmt[i], from))
			return true;
	return false;
}

bool weft_localconf_path_allowed(const struct weft_localconf *c, uint64_t address,
                                 const struct weft_inetaddr *remote)
{
	for (unsigned i = 0; i < c->n_physical && i < WEFT_LOCALCONF_MAX_PHYSICAL; i++)
		if (c->physical[i].blacklist &&
		    weft_localconf_net_contains(&c->physical[i].net, remote))
			return false;
	for (unsigned i = 0; i < c->n_virtual && i < WEFT_LOCALCONF_MAX_VIRTUAL; i++) {
		const struct weft_localconf_virtual *v = &c->virt[i];
		if (v->address != address)
			continue;
		for (unsigned k = 0; k < v->n_blacklist && k < WEFT_LOCALCONF_MAX_LIST; k++)
			if (weft_localconf_net_contains(&v->blacklist[k], remote))
				return false;
	}
	return true;
}

const struct weft_localconf_physical *
weft_localconf_physical_for(const struct weft_localconf *c, const struct weft_inetaddr *remote)
{
	const struct weft_localconf_physical *best = NULL;
	unsigned best_bits = 0;
	for (unsigned i = 0; i < c->n_physical && i < WEFT_LOCALCONF_MAX_PHYSICAL; i++) {
		const struct weft_localconf_physical *p = &c->physical[i];
		unsigned bits = cmp_form(&p->net.ip, p->net.bits).bits;
		if (weft_localconf_net_contains(&p->net, remote) && (!best || bits > best_bits)) {
			best = p;
			best_bits = bits;
		}
	}
	return best;
}

bool weft_localconf_if_blacklisted(const struct weft_localconf *c, const char *name)
{
	if (!name)
		return false;
	for (unsigned i = 0; i < c->n_if_blacklist && i < WEFT_LOCALCONF_MAX_LIST; i++) {
		const char *p = c->if_blacklist[i];
		if (*p && !strncmp(name, p, strnlen(p, WEFT_LOCALCONF_PREFIX_MAX)))
			return true;
	}
	return false;
}
