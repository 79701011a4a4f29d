// SPDX-License-Identifier: MPL-2.0
// service/localconf.h: the defaults, the service.md §4.4 example value by value, every setting,
// each refusal with its exact "<json path>: <what>" message (and *out left at the defaults),
// the list and section limits, unknown keys kept in raw, and the API-access (§2.2), path,
// physical-network and interface questions as truth tables over IPv4, IPv6 and v4-mapped IPv6.
// Inputs are parsed from exact-size heap copies so ASan catches any read past the end.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "localconf.h"
#include "t.h"

static struct weft_localconf conf, defaults;

static int parse(const char *text, struct weft_localconf *c, char *err, size_t cap)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	memcpy(copy, text, n);
	int r = weft_localconf_parse(copy, n, c, err, cap);
	free(copy);
	return r;
}

static bool parse_ok(const char *text)
{
	char err[WEFT_LOCALCONF_ERR_MAX] = "";
	int r = parse(text, &conf, err, sizeof err);
	T_CHECK_MSG(r == 0, "refused: %s", err);
	return r == 0;
}

// Refused with exactly `want`, *out left at the defaults.
static void expect_err(const char *text, const char *want)
{
	char err[WEFT_LOCALCONF_ERR_MAX];
	memset(err, 'x', sizeof err);
	int r = parse(text, &conf, err, sizeof err);
	T_CHECK_MSG(r == -1, "accepted: %s", text);
	T_CHECK_MSG(!strcmp(err, want), "got \"%s\", want \"%s\"", err, want);
	T_CHECK(!memcmp(&conf, &defaults, sizeof conf));
	weft_localconf_free(&conf);
}

static struct weft_inetaddr ip(const char *s)
{
	struct weft_inetaddr a;
	if (!weft_inetaddr_from_string(&a, s))
		t_fail(__FILE__, __LINE__, "bad test address %s", s);
	return a;
}

static struct weft_localconf_net net(const char *s, unsigned bits)
{
	return (struct weft_localconf_net){.ip = ip(s), .bits = bits};
}

static void test_defaults(void)
{
	t_case("defaults");
	weft_localconf_defaults(&conf);
	T_CHECK(conf.raw == NULL);
	T_CHECK(conf.primary_port == -1 && conf.secondary_port == -1 && conf.tertiary_port == -1);
	T_CHECK(conf.allow_secondary_port && conf.port_mapping && conf.allow_tcp_fallback_relay);
	T_CHECK(!conf.force_tcp_relay && !conf.have_tcp_relay);
	T_CHECK(!conf.low_bandwidth && !conf.multicore && !conf.cpu_pinning && !conf.web_server);
	T_CHECK(conf.concurrency == 0 && conf.controller_db_path == NULL);
	T_CHECK(!conf.n_bind && !conf.n_if_blacklist && !conf.n_mgmt);
	T_CHECK(!conf.n_physical && !conf.n_virtual);
	weft_localconf_free(&conf);
	weft_localconf_free(&conf); // free leaves a state that may be freed again
	T_CHECK(!memcmp(&conf, &defaults, sizeof conf));

	t_case("empty object");
	if (parse_ok("{}")) {
		T_CHECK(json_is_object(conf.raw) && json_object_size(conf.raw) == 0);
		T_CHECK(conf.primary_port == -1 && conf.allow_secondary_port);
	}
	weft_localconf_free(&conf);
	T_CHECK(!memcmp(&conf, &defaults, sizeof conf));
}

static const char example[] =
    "{\n"
    "  \"physical\": {\n"
    "    \"10.0.0.0/24\": { \"blacklist\": true },\n"
    "    \"192.168.10.0/24\": { \"trustedPathId\": 101010, \"mtu\": 1400 }\n"
    "  },\n"
    "  \"virtual\": {\n"
    "    \"89e92ceee5\": { \"try\": [\"203.0.113.7/9993\"], "
    "\"blacklist\": [\"10.0.0.0/8\"] }\n"
    "  },\n"
    "  \"settings\": {\n"
    "    \"primaryPort\": 9993,\n"
    "    \"allowTcpFallbackRelay\": true,\n"
    "    \"portMappingEnabled\": true,\n"
    "    \"interfacePrefixBlacklist\": [\"docker\", \"veth\"],\n"
    "    \"allowManagementFrom\": [\"192.168.1.0/24\"]\n"
    "  }\n"
    "}\n";

static void check_example_paths(void)
{
	struct weft_inetaddr a10 = ip("10.1.2.3"), a10b = ip("10.0.0.5"), far = ip("8.8.8.8");
	T_CHECK(!weft_localconf_path_allowed(&conf, 0x89e92ceee5, &a10));
	T_CHECK(weft_localconf_path_allowed(&conf, 0x1111111111, &a10));
	T_CHECK(!weft_localconf_path_allowed(&conf, 0x1111111111, &a10b));
	T_CHECK(weft_localconf_path_allowed(&conf, 0x89e92ceee5, &far));
	struct weft_inetaddr t = ip("192.168.10.99/9993");
	T_CHECK(weft_localconf_physical_for(&conf, &t) == &conf.physical[1]);
	T_CHECK(weft_localconf_physical_for(&conf, &far) == NULL);
}

static void test_example(void)
{
	t_case("service.md §4.4 example");
	if (!parse_ok(example))
		return;
	struct weft_localconf_net n10 = net("10.0.0.0", 24), n192 = net("192.168.10.0", 24);
	T_CHECK(conf.n_physical == 2);
	T_CHECK(weft_inetaddr_equal(&conf.physical[0].net.ip, &n10.ip) &&
	        conf.physical[0].net.bits == 24);
	T_CHECK(conf.physical[0].blacklist && conf.physical[0].trusted_path_id == 0 &&
	        conf.physical[0].mtu == 0);
	T_CHECK(weft_inetaddr_equal(&conf.physical[1].net.ip, &n192.ip) &&
	        conf.physical[1].net.bits == 24);
	T_CHECK(!conf.physical[1].blacklist && conf.physical[1].trusted_path_id == 101010 &&
	        conf.physical[1].mtu == 1400);
	T_CHECK(conf.n_virtual == 1 && conf.virt[0].address == 0x89e92ceee5);
	struct weft_inetaddr try0 = ip("203.0.113.7/9993");
	T_CHECK(conf.virt[0].n_try == 1 && weft_inetaddr_equal(&conf.virt[0].try_addrs[0], &try0));
	struct weft_localconf_net n8 = net("10.0.0.0", 8);
	T_CHECK(conf.virt[0].n_blacklist == 1 && conf.virt[0].blacklist[0].bits == 8 &&
	        weft_inetaddr_equal(&conf.virt[0].blacklist[0].ip, &n8.ip));
	T_CHECK(conf.primary_port == 9993 && conf.secondary_port == -1 && conf.tertiary_port == -1);
	T_CHECK(conf.allow_tcp_fallback_relay && conf.port_mapping && conf.allow_secondary_port);
	T_CHECK(conf.n_if_blacklist == 2 && !strcmp(conf.if_blacklist[0], "docker") &&
	        !strcmp(conf.if_blacklist[1], "veth"));
	struct weft_localconf_net mg = net("192.168.1.0", 24);
	T_CHECK(conf.n_mgmt == 1 && conf.mgmt[0].bits == 24 &&
	        weft_inetaddr_equal(&conf.mgmt[0].ip, &mg.ip));
	T_CHECK(!conf.n_bind && !conf.have_tcp_relay && conf.controller_db_path == NULL);
	T_CHECK(conf.raw && json_object_size(conf.raw) == 3);
	check_example_paths();
	weft_localconf_free(&conf);
}

static void test_all_settings(void)
{
	t_case("every setting");
	if (!parse_ok("{\"settings\":{\"primaryPort\":0,\"secondaryPort\":65535,\"tertiaryPort\":1,"
	              "\"allowSecondaryPort\":false,\"portMappingEnabled\":false,"
	              "\"allowTcpFallbackRelay\":false,\"forceTcpRelay\":false,"
	              "\"lowBandwidthMode\":true,\"multicoreEnabled\":true,"
	              "\"cpuPinningEnabled\":true,\"enableWebServer\":true,"
	              "\"softwareUpdateDist\":true,\"concurrency\":1024,"
	              "\"tcpFallbackRelay\":\"2001:db8::1/443\",\"bind\":[\"10.1.1.1\",\"::1\"],"
	              "\"controllerDbPath\":\"/var/lib/ctl\",\"softwareUpdate\":\"disable\","
	              "\"softwareUpdateChannel\":\"release\",\"ssoRedirectURL\":\"https://x/\"}}"))
		return;
	T_CHECK(conf.primary_port == 0 && conf.secondary_port == 65535 && conf.tertiary_port == 1);
	T_CHECK(!conf.allow_secondary_port && !conf.port_mapping && !conf.allow_tcp_fallback_relay);
	T_CHECK(!conf.force_tcp_relay);
	T_CHECK(conf.low_bandwidth && conf.multicore && conf.cpu_pinning && conf.web_server);
	T_CHECK(conf.concurrency == 1024);
	struct weft_inetaddr relay = ip("2001:db8::1/443"), b0 = ip("10.1.1.1"), b1 = ip("::1");
	T_CHECK(conf.have_tcp_relay && weft_inetaddr_equal(&conf.tcp_relay, &relay));
	T_CHECK(conf.n_bind == 2 && weft_inetaddr_equal(&conf.bind[0], &b0) &&
	        weft_inetaddr_equal(&conf.bind[1], &b1) && conf.bind[0].port == 0);
	T_CHECK(conf.controller_db_path && !strcmp(conf.controller_db_path, "/var/lib/ctl"));
	weft_localconf_free(&conf);
	T_CHECK(conf.controller_db_path == NULL && conf.raw == NULL);

	t_case("null means not set");
	if (parse_ok("{\"settings\":{\"primaryPort\":null,\"bind\":null,\"forceTcpRelay\":null},"
	             "\"physical\":null,\"virtual\":null}")) {
		T_CHECK(conf.primary_port == -1 && conf.n_bind == 0 && !conf.force_tcp_relay);
		T_CHECK(json_is_null(json_object_get(conf.raw, "physical")));
	}
	weft_localconf_free(&conf);

	t_case("physical mtu and trustedPathId edges");
	if (parse_ok("{\"physical\":{\"10.0.0.0/8\":{\"mtu\":1280,\"trustedPathId\":0},"
	             "\"11.0.0.0/8\":{\"mtu\":10000,\"trustedPathId\":9223372036854775807},"
	             "\"::/0\":{\"mtu\":0,\"blacklist\":false}}}")) {
		T_CHECK(conf.n_physical == 3 && conf.physical[0].mtu == 1280 &&
		        conf.physical[1].mtu == 10000 && conf.physical[2].mtu == 0);
		T_CHECK(conf.physical[1].trusted_path_id == 0x7fffffffffffffffULL);
		T_CHECK(conf.physical[2].net.ip.family == WEFT_INET_V6 &&
		        conf.physical[2].net.bits == 0 && !conf.physical[2].blacklist);
	}
	weft_localconf_free(&conf);

	t_case("interface prefix of 31 bytes; upper-case virtual address");
	if (parse_ok("{\"settings\":{\"interfacePrefixBlacklist\":"
	             "[\"abcdefghijklmnopqrstuvwxyz01234\"]},\"virtual\":{\"89E92CEEE5\":{}}}")) {
		T_CHECK(conf.n_if_blacklist == 1 && strlen(conf.if_blacklist[0]) == 31);
		T_CHECK(conf.n_virtual == 1 && conf.virt[0].address == 0x89e92ceee5 &&
		        conf.virt[0].n_try == 0);
	}
	weft_localconf_free(&conf);
}

static void test_raw(void)
{
	t_case("raw keeps unknown keys");
	if (parse_ok(
	        "{\"foo\":{\"bar\":[1,2]},\"settings\":{\"someFutureKey\":\"x\",\"primaryPort\""
	        ":9994},\"physical\":{\"10.0.0.0/8\":{\"later\":1}}}")) {
		T_CHECK(json_is_array(json_object_get(json_object_get(conf.raw, "foo"), "bar")));
		json_t *st = json_object_get(conf.raw, "settings");
		T_CHECK(!strcmp(json_string_value(json_object_get(st, "someFutureKey")), "x"));
		T_CHECK(conf.primary_port == 9994 && conf.n_physical == 1);
	}
	weft_localconf_free(&conf);

	t_case("from_json takes a reference only on success");
	char err[WEFT_LOCALCONF_ERR_MAX];
	json_t *root = json_pack("{s:{s:i}}", "settings", "primaryPort", 1234);
	T_CHECK(weft_localconf_from_json(root, &conf, err, sizeof err) == 0);
	T_CHECK(conf.raw == root && root->refcount == 2 && conf.primary_port == 1234);
	weft_localconf_free(&conf);
	T_CHECK(root->refcount == 1);
	json_object_set_new(json_object_get(root, "settings"), "primaryPort", json_string("x"));
	T_CHECK(weft_localconf_from_json(root, &conf, err, sizeof err) == -1);
	T_CHECK(!strcmp(err, "settings.primaryPort: must be an integer from 0 to 65535"));
	T_CHECK(root->refcount == 1 && conf.raw == NULL);
	json_decref(root);

	t_case("a short error buffer is cut, not overrun");
	char small[12];
	T_CHECK(parse("{\"settings\":5}", &conf, small, sizeof small) == -1);
	T_CHECK(!strcmp(small, "settings: m"));
	T_CHECK(parse("{\"settings\":5}", &conf, NULL, 0) == -1);
}

static const struct {
	const char *text, *err;
} refusals[] = {
    {"{", "line 1 column 1: string or '}' expected near end of file"},
    {"", "line 1 column 0: unexpected token near end of file"},
    {"{\"a\":1,\"a\":2}", "line 1 column 10: duplicate object key near '\"a\"'"},
    {"{\"a\":\"b\nc\"}", "line 1 column 7: unexpected newline near '\"b'"},
    {"[1]", "top level: must be a JSON object"},
    {"5", "top level: must be a JSON object"},
    {"{\"settings\":[]}", "settings: must be an object"},
    {"{\"settings\":{\"primaryPort\":70000}}",
     "settings.primaryPort: must be an integer from 0 to 65535"},
    {"{\"settings\":{\"primaryPort\":-1}}",
     "settings.primaryPort: must be an integer from 0 to 65535"},
    {"{\"settings\":{\"primaryPort\":9993.0}}",
     "settings.primaryPort: must be an integer from 0 to 65535"},
    {"{\"settings\":{\"tertiaryPort\":\"9993\"}}",
     "settings.tertiaryPort: must be an integer from 0 to 65535"},
    {"{\"settings\":{\"allowSecondaryPort\":1}}",
     "settings.allowSecondaryPort: must be true or false"},
    {"{\"settings\":{\"softwareUpdateDist\":\"no\"}}",
     "settings.softwareUpdateDist: must be true or false"},
    {"{\"settings\":{\"forceTcpRelay\":true}}",
     "settings.forceTcpRelay: weft has no TCP relay client"},
    {"{\"settings\":{\"concurrency\":0}}",
     "settings.concurrency: must be an integer from 1 to 1024"},
    {"{\"settings\":{\"concurrency\":1025}}",
     "settings.concurrency: must be an integer from 1 to 1024"},
    {"{\"settings\":{\"tcpFallbackRelay\":5}}", "settings.tcpFallbackRelay: must be a string"},
    {"{\"settings\":{\"tcpFallbackRelay\":\"1.2.3.4\"}}",
     "settings.tcpFallbackRelay: not an IP address with a port (ip/port)"},
    {"{\"settings\":{\"tcpFallbackRelay\":\"1.2.3.4/ 443\"}}",
     "settings.tcpFallbackRelay: not an IP address with a port (ip/port)"},
    {"{\"settings\":{\"tcpFallbackRelay\":\"1.2.3.4/65536\"}}",
     "settings.tcpFallbackRelay: not an IP address with a port (ip/port)"},
    {"{\"settings\":{\"bind\":\"1.2.3.4\"}}", "settings.bind: must be an array"},
    {"{\"settings\":{\"bind\":[\"1.2.3.4\",\"::1\",\"1.2.3\"]}}",
     "settings.bind[2]: not an IP address"},
    {"{\"settings\":{\"bind\":[\"1.2.3.4/9993\"]}}", "settings.bind[0]: not an IP address"},
    {"{\"settings\":{\"bind\":[5]}}", "settings.bind[0]: must be a string"},
    {"{\"settings\":{\"interfacePrefixBlacklist\":[\"\"]}}",
     "settings.interfacePrefixBlacklist[0]: must not be empty"},
    {"{\"settings\":{\"interfacePrefixBlacklist\":[\"a\",\"abcdefghijklmnopqrstuvwxyz012345\"]}}",
     "settings.interfacePrefixBlacklist[1]: longer than 31 bytes"},
    {"{\"settings\":{\"allowManagementFrom\":[\"10.0.0.0\"]}}",
     "settings.allowManagementFrom[0]: not a network (ip/bits)"},
    {"{\"settings\":{\"allowManagementFrom\":[\"10.0.0.0/33\"]}}",
     "settings.allowManagementFrom[0]: prefix length must be from 0 to 32"},
    {"{\"settings\":{\"allowManagementFrom\":[\"::/129\"]}}",
     "settings.allowManagementFrom[0]: prefix length must be from 0 to 128"},
    {"{\"settings\":{\"allowManagementFrom\":[\"10.0.0.0/+8\"]}}",
     "settings.allowManagementFrom[0]: not a network (ip/bits)"},
    {"{\"settings\":{\"allowManagementFrom\":[\"host/8\"]}}",
     "settings.allowManagementFrom[0]: not a network (ip/bits)"},
    {"{\"settings\":{\"controllerDbPath\":\"\"}}",
     "settings.controllerDbPath: must be a non-empty string"},
    {"{\"settings\":{\"controllerDbPath\":\"postgres:host=db\"}}",
     "settings.controllerDbPath: PostgreSQL back end not built in"},
    {"{\"settings\":{\"softwareUpdate\":5}}", "settings.softwareUpdate: must be a string"},
    {"{\"settings\":{\"defaultBondingPolicy\":\"active-backup\"}}",
     "settings.defaultBondingPolicy: multipath bonding is not supported by weft"},
    {"{\"settings\":{\"policies\":{}}}",
     "settings.policies: multipath bonding is not supported by weft"},
    {"{\"settings\":{\"peerSpecificBonds\":{}}}",
     "settings.peerSpecificBonds: multipath bonding is not supported by weft"},
    {"{\"settings\":{\"controllerDb\":{\"type\":\"lf\"}}}",
     "settings.controllerDb: alternative controller back ends are not supported by weft"},
    {"{\"physical\":[]}", "physical: must be an object"},
    {"{\"physical\":{\"10.0.0.0\":{}}}", "physical[\"10.0.0.0\"]: not a network (ip/bits)"},
    {"{\"physical\":{\"10.0.0.0/24\":5}}", "physical[\"10.0.0.0/24\"]: must be an object"},
    {"{\"physical\":{\"0.0.0.0/0\":{\"blacklist\":true}}}",
     "physical[\"0.0.0.0/0\"].blacklist: a blacklisted network needs a prefix length above 0"},
    {"{\"physical\":{\"10.0.0.0/24\":{\"blacklist\":\"yes\"}}}",
     "physical[\"10.0.0.0/24\"].blacklist: must be true or false"},
    {"{\"physical\":{\"10.0.0.0/24\":{\"trustedPathId\":-1}}}",
     "physical[\"10.0.0.0/24\"].trustedPathId: must be an integer from 0 to "
     "9223372036854775807"},
    {"{\"physical\":{\"10.0.0.0/24\":{\"mtu\":1279}}}",
     "physical[\"10.0.0.0/24\"].mtu: must be 0 or from 1280 to 10000"},
    {"{\"physical\":{\"10.0.0.0/24\":{\"mtu\":10001}}}",
     "physical[\"10.0.0.0/24\"].mtu: must be 0 or from 1280 to 10000"},
    {"{\"physical\":{\"a\\\"b\\nc\":{}}}", "physical[\"a\\\"b\\u000ac\"]: not a network (ip/bits)"},
    {"{\"physical\":{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":{}}}",
     "physical[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"]: not a network (ip/bits)"},
    {"{\"virtual\":5}", "virtual: must be an object"},
    {"{\"virtual\":{\"89e92ceee\":{}}}",
     "virtual[\"89e92ceee\"]: not a node address (10 hex digits)"},
    {"{\"virtual\":{\"89e92ceeeg\":{}}}",
     "virtual[\"89e92ceeeg\"]: not a node address (10 hex digits)"},
    {"{\"virtual\":{\"0000000000\":{}}}", "virtual[\"0000000000\"]: node address must not be 0"},
    {"{\"virtual\":{\"89e92ceee5\":{},\"89E92CEEE5\":{}}}",
     "virtual[\"89E92CEEE5\"]: same address as an earlier entry"},
    {"{\"virtual\":{\"89e92ceee5\":[]}}", "virtual[\"89e92ceee5\"]: must be an object"},
    {"{\"virtual\":{\"89e92ceee5\":{\"try\":\"1.2.3.4/9993\"}}}",
     "virtual[\"89e92ceee5\"].try: must be an array"},
    {"{\"virtual\":{\"89e92ceee5\":{\"try\":[\"203.0.113.7/0\"]}}}",
     "virtual[\"89e92ceee5\"].try[0]: port must not be 0"},
    {"{\"virtual\":{\"89e92ceee5\":{\"try\":[\"203.0.113.7/1\",\"203.0.113.7\"]}}}",
     "virtual[\"89e92ceee5\"].try[1]: not an IP address with a port (ip/port)"},
    {"{\"virtual\":{\"89e92ceee5\":{\"blacklist\":[\"10.0.0.0/40\"]}}}",
     "virtual[\"89e92ceee5\"].blacklist[0]: prefix length must be from 0 to 32"},
};

static void test_refusals(void)
{
	for (size_t i = 0; i < sizeof refusals / sizeof *refusals; i++) {
		t_case("refused: %s", refusals[i].err);
		expect_err(refusals[i].text, refusals[i].err);
	}
	t_case("a key of escapes is cut, leaving room for the reason");
	char doc[512] = "{\"physical\":{\"", want[256] = "physical[\"";
	for (int i = 0; i < 60; i++)
		strcat(doc, "\\u007f");
	strcat(doc, "\":{}}}");
	for (int i = 0; i < 8; i++)
		strcat(want, "\\u007f");
	strcat(want, "...\"]: not a network (ip/bits)");
	expect_err(doc, want);
	t_case("a refusal after a filled field leaves nothing behind");
	expect_err("{\"settings\":{\"controllerDbPath\":\"/x\",\"bind\":[\"::1\",\"1\"]}}",
	           "settings.bind[1]: not an IP address");
}

// "{<pre>"x0","x1",...<post>}" with n items made by fmt from the index.
static char *list_doc(const char *pre, const char *fmt, unsigned n, const char *post)
{
	size_t cap = strlen(pre) + strlen(post) + 64 * (size_t)n + 8, o = 0;
	char *s = malloc(cap);
	o += (size_t)snprintf(s + o, cap - o, "{%s", pre);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			s[o++] = ',';
		o += (size_t)snprintf(s + o, cap - o, fmt, i + 1);
	}
	snprintf(s + o, cap - o, "%s}", post);
	return s;
}

static void check_limit(const char *what, const char *pre, const char *fmt, unsigned max,
                        const char *post, const char *err)
{
	char *s = list_doc(pre, fmt, max, post);
	t_case("%s: %u entries accepted", what, max);
	parse_ok(s);
	weft_localconf_free(&conf);
	free(s);
	t_case("%s: %u refused", what, max + 1);
	s = list_doc(pre, fmt, max + 1, post);
	expect_err(s, err);
	free(s);
}

static void test_limits(void)
{
	check_limit("bind", "\"settings\":{\"bind\":[", "\"10.0.0.%u\"", WEFT_LOCALCONF_MAX_LIST,
	            "]}", "settings.bind: more than 32 entries");
	check_limit("allowManagementFrom", "\"settings\":{\"allowManagementFrom\":[",
	            "\"10.0.%u.0/24\"", WEFT_LOCALCONF_MAX_LIST, "]}",
	            "settings.allowManagementFrom: more than 32 entries");
	check_limit("physical", "\"physical\":{", "\"10.%u.0.0/16\":{\"mtu\":1500}",
	            WEFT_LOCALCONF_MAX_PHYSICAL, "}", "physical: more than 32 entries");
	check_limit("virtual", "\"virtual\":{", "\"00000000%02x\":{}", WEFT_LOCALCONF_MAX_VIRTUAL,
	            "}", "virtual: more than 64 entries");
	check_limit("try", "\"virtual\":{\"89e92ceee5\":{\"try\":[", "\"10.0.0.1/%u\"",
	            WEFT_LOCALCONF_MAX_LIST, "]}}",
	            "virtual[\"89e92ceee5\"].try: more than 32 entries");
}

static void test_net_contains(void)
{
	static const struct {
		const char *net;
		unsigned bits;
		const char *addr;
		bool in;
	} rows[] = {
	    {"10.0.0.0", 24, "10.0.0.255", true},
	    {"10.0.0.0", 24, "10.0.1.0", false},
	    {"10.0.0.0", 25, "10.0.0.127", true},
	    {"10.0.0.0", 25, "10.0.0.128", false},
	    {"10.0.0.77", 24, "10.0.0.1", true},
	    {"10.0.0.1", 32, "10.0.0.1", true},
	    {"10.0.0.1", 32, "10.0.0.2", false},
	    {"0.0.0.0", 0, "1.2.3.4", true},
	    {"0.0.0.0", 0, "::1", false},
	    {"::", 0, "::1", true},
	    {"::", 0, "1.2.3.4", false},
	    {"::", 0, "::ffff:1.2.3.4", false},
	    {"10.0.0.0", 8, "::ffff:10.9.8.7", true},
	    {"10.0.0.0", 8, "::ffff:11.9.8.7", false},
	    {"::ffff:10.0.0.0", 104, "10.1.1.1", true},
	    {"::ffff:10.0.0.0", 104, "11.1.1.1", false},
	    {"2001:db8::", 33, "2001:db8:7fff::1", true},
	    {"2001:db8::", 33, "2001:db8:8000::1", false},
	    {"10.0.0.0", 33, "10.0.0.0", false}, // an invalid prefix contains nothing
	};
	t_case("net_contains truth table");
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		struct weft_localconf_net n = net(rows[i].net, rows[i].bits);
		struct weft_inetaddr a = ip(rows[i].addr);
		T_CHECK_MSG(weft_localconf_net_contains(&n, &a) == rows[i].in, "%s/%u %s %s",
		            rows[i].net, rows[i].bits, rows[i].in ? "should hold" : "holds",
		            rows[i].addr);
	}
	struct weft_inetaddr none = {0};
	struct weft_localconf_net any = net("0.0.0.0", 0);
	T_CHECK(!weft_localconf_net_contains(&any, &none));
}

static void test_mgmt(void)
{
	static const struct {
		const char *addr;
		bool dflt, conf;
	} rows[] = {
	    {"127.0.0.1", true, true},
	    {"127.255.255.254", true, true},
	    {"::1", true, true},
	    {"::ffff:127.0.0.1", true, true},
	    {"192.168.1.77", false, true},
	    {"::ffff:192.168.1.77", false, true},
	    {"192.168.2.1", false, false},
	    {"fd12::1", false, true},
	    {"fe80::1", false, false},
	    {"10.9.3.4", false, true},
	    {"::ffff:10.9.3.4", false, true},
	    {"10.8.0.1", false, false},
	    {"8.8.8.8", false, false},
	    {"::2", false, false},
	};
	struct weft_inetaddr none = {0};
	t_case("mgmt_allowed truth table");
	weft_localconf_defaults(&conf);
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		struct weft_inetaddr a = ip(rows[i].addr);
		T_CHECK_MSG(weft_localconf_mgmt_allowed(&conf, &a) == rows[i].dflt, "default %s",
		            rows[i].addr);
	}
	if (!parse_ok("{\"settings\":{\"allowManagementFrom\":[\"192.168.1.0/24\",\"fd00::/8\","
	              "\"::ffff:10.9.0.0/112\"]}}"))
		return;
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		struct weft_inetaddr a = ip(rows[i].addr);
		T_CHECK_MSG(weft_localconf_mgmt_allowed(&conf, &a) == rows[i].conf, "configured %s",
		            rows[i].addr);
	}
	T_CHECK(!weft_localconf_mgmt_allowed(&conf, &none));
	weft_localconf_free(&conf);
}

static void test_path_allowed(void)
{
	static const struct {
		uint64_t peer;
		const char *addr;
		bool ok;
	} rows[] = {
	    {0x89e92ceee5, "10.0.0.5/9993", false},
	    {0x1111111111, "10.0.0.5/9993", false},
	    {0x1111111111, "::ffff:10.0.0.5/9993", false},
	    {0x89e92ceee5, "10.7.0.1/9993", false},
	    {0x89e92ceee5, "::ffff:10.7.0.1/1", false},
	    {0x1111111111, "10.7.0.1/9993", true},
	    {0x89e92ceee5, "2001:db8:bad::1/9993", false},
	    {0x89e92ceee5, "2001:db8:bae::1/9993", true},
	    {0x89e92ceee5, "fd00::1/9993", false},
	    {0x1111111111, "fd00::1/9993", true},
	    {0x1111111111, "192.168.10.1/9993", true},
	    {0x1111111111, "::1/9993", true},
	};
	t_case("path_allowed truth table");
	if (!parse_ok(
	        "{\"physical\":{\"10.0.0.0/24\":{\"blacklist\":true},"
	        "\"2001:db8:bad::/48\":{\"blacklist\":true},"
	        "\"192.168.10.0/24\":{\"trustedPathId\":5}},"
	        "\"virtual\":{\"89e92ceee5\":{\"blacklist\":[\"10.0.0.0/8\",\"fd00::/8\"]}}}"))
		return;
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		struct weft_inetaddr a = ip(rows[i].addr);
		T_CHECK_MSG(weft_localconf_path_allowed(&conf, rows[i].peer, &a) == rows[i].ok,
		            "%010llx at %s", (unsigned long long)rows[i].peer, rows[i].addr);
	}
	weft_localconf_free(&conf);
	struct weft_inetaddr a = ip("10.0.0.5/9993");
	T_CHECK(weft_localconf_path_allowed(&conf, 0x89e92ceee5, &a)); // defaults allow all
}

static void test_physical_for(void)
{
	static const struct {
		const char *addr;
		int entry; // index, -1 for none
	} rows[] = {
	    {"10.1.2.200/9993", 3}, {"10.1.2.5/9993", 0},    {"10.1.3.1/9993", 1},
	    {"10.2.0.0/1", 2},      {"11.0.0.1/9993", -1},   {"::ffff:10.1.3.1/9993", 1},
	    {"fd00::1/9993", -1},   {"2001:db8::9/9993", 4}, {"2001:db8:1::9/1", 5},
	};
	t_case("physical_for: longest prefix");
	if (!parse_ok("{\"physical\":{\"10.1.2.0/24\":{\"trustedPathId\":7},"
	              "\"10.1.0.0/16\":{\"mtu\":1400},\"10.0.0.0/8\":{\"mtu\":1300},"
	              "\"::ffff:10.1.2.128/121\":{\"mtu\":1500},\"2001:db8::/32\":{\"mtu\":1280},"
	              "\"2001:db8:1::/48\":{\"mtu\":1290}}}"))
		return;
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		struct weft_inetaddr a = ip(rows[i].addr);
		const struct weft_localconf_physical *p = weft_localconf_physical_for(&conf, &a);
		T_CHECK_MSG(p == (rows[i].entry < 0 ? NULL : &conf.physical[rows[i].entry]),
		            "%s: got entry %d", rows[i].addr, p ? (int)(p - conf.physical) : -1);
	}
	weft_localconf_free(&conf);
}

static void test_if_blacklisted(void)
{
	t_case("if_blacklisted");
	weft_localconf_defaults(&conf);
	T_CHECK(!weft_localconf_if_blacklisted(&conf, "docker0"));
	if (!parse_ok("{\"settings\":{\"interfacePrefixBlacklist\":[\"docker\",\"veth\",\"zt\"]}}"))
		return;
	T_CHECK(weft_localconf_if_blacklisted(&conf, "docker0"));
	T_CHECK(weft_localconf_if_blacklisted(&conf, "veth1234"));
	T_CHECK(weft_localconf_if_blacklisted(&conf, "zt"));
	T_CHECK(weft_localconf_if_blacklisted(&conf, "ztabcdef12"));
	T_CHECK(!weft_localconf_if_blacklisted(&conf, "dock"));
	T_CHECK(!weft_localconf_if_blacklisted(&conf, "eth0"));
	T_CHECK(!weft_localconf_if_blacklisted(&conf, "xveth0"));
	T_CHECK(!weft_localconf_if_blacklisted(&conf, ""));
	T_CHECK(!weft_localconf_if_blacklisted(&conf, NULL));
	weft_localconf_free(&conf);
}

int main(void)
{
	t_init("unit/localconf");
	weft_localconf_defaults(&defaults);
	test_defaults();
	test_example();
	test_all_settings();
	test_raw();
	test_refusals();
	test_limits();
	test_net_contains();
	test_mgmt();
	test_path_allowed();
	test_physical_for();
	test_if_blacklisted();
	return t_done();
}
