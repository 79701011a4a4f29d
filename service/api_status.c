// SPDX-License-Identifier: MPL-2.0
// GET /status and GET /health (service.md §2.5.1, §2.5.2). `config` is local.conf with its
// settings completed by the effective values; weft has no TCP relay and no port mapping, so
// those show as off unless local.conf says otherwise.
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "buf.h"
#include "ifaddr.h"
#include "inetaddr.h"
#include "state.h"
#include "world.h"

#define MAX_IFADDRS 64

static void add_version(json_t *o, int64_t now_ms)
{
	json_object_set_new(o, "clock", json_integer(now_ms));
	json_object_set_new(o, "version", json_string(WEFT_VERSION_STRING));
	json_object_set_new(o, "versionMajor", json_integer(WEFT_VERSION_MAJOR));
	json_object_set_new(o, "versionMinor", json_integer(WEFT_VERSION_MINOR));
	json_object_set_new(o, "versionRev", json_integer(WEFT_VERSION_REVISION));
	json_object_set_new(o, "versionBuild", json_integer(0));
}

// Interfaces the reference would bind (§6.2): not lo/zt/tun/tap, and an address of global,
// private, shared or pseudo-private scope. weftd's sockets are wildcards, so it receives on
// every one of them.
static bool reportable(const struct weft_ifaddr *a)
{
	static const char *const skip[] = {"lo", "zt", "tun", "tap"};
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (!strncmp(a->name, skip[i], strlen(skip[i])))
			return false;
	enum weft_ip_scope s = weft_inetaddr_scope(&a->addr);
	return s == WEFT_SCOPE_GLOBAL || s == WEFT_SCOPE_PRIVATE || s == WEFT_SCOPE_SHARED ||
	       s == WEFT_SCOPE_PSEUDOPRIVATE;
}

static bool bound(const struct weft_service *s, const struct weft_ifaddr *a)
{
	if (weft_localconf_if_blacklisted(&s->conf, a->name))
		return false;
	for (unsigned i = 0; i < s->conf.n_bind; i++)
		if (weft_inetaddr_ip_equal(&s->conf.bind[i], &a->addr))
			return true;
	return s->conf.n_bind == 0;
}

static json_t *listening_on(const struct weft_service *s)
{
	static struct weft_ifaddr addrs[MAX_IFADDRS];
	uint16_t ports[2] = {s->primary_port, s->secondary_port};
	size_t n = weft_ifaddr_list(addrs, MAX_IFADDRS);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		for (int p = 0; p < 2 && reportable(&addrs[i]) && bound(s, &addrs[i]); p++) {
			char text[WEFT_INETADDR_STR_MAX];
			if (!ports[p])
				continue;
			addrs[i].addr.port = ports[p];
			weft_inetaddr_to_string(&addrs[i].addr, text, sizeof text);
			json_array_append_new(list, json_string(text));
		}
	}
	return list;
}

// Sets key unless local.conf's settings already have it.
static void set_default(json_t *o, const char *key, json_t *v)
{
	if (json_object_get(o, key))
		json_decref(v);
	else
		json_object_set_new(o, key, v);
}

static json_t *config(const struct weft_service *s)
{
	json_t *c = s->conf.raw ? json_deep_copy(s->conf.raw) : json_object();
	json_t *o = json_object_get(c, "settings");
	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(c, "settings", o);
	}
	set_default(o, "allowTcpFallbackRelay", json_true());
	set_default(o, "forceTcpRelay", json_false());
	set_default(o, "primaryPort", json_integer(s->primary_port));
	set_default(o, "secondaryPort", json_integer(s->secondary_port));
	set_default(o, "tertiaryPort", json_integer(0));
	set_default(o, "portMappingEnabled", json_false()); // no UPnP in weft
	set_default(o, "softwareUpdate", json_string("disable"));
	set_default(o, "softwareUpdateChannel", json_string("release"));
	json_object_set_new(o, "homeDir", json_string(s->home));
	json_object_set_new(o, "listeningOn", listening_on(s));
	json_object_set_new(o, "surfaceAddresses", json_array());
	return c;
}

// The planet's ID and timestamp, read back from its stored form; 0 and 0 with no planet
// (the values of an empty world).
static void planet_ids(const struct weft_service *s, json_t *o)
{
	static uint8_t buf[WEFT_WORLD_MAX_LEN];
	static struct weft_world w;
	struct weft_rbuf r;
	uint64_t id = 0, ts = 0;
	long len = weft_state_get((void *)s->home, WEFT_STATE_PLANET, 0, buf, sizeof buf);
	if (len > 0) {
		rbuf_init(&r, buf, (size_t)len);
		if (weft_world_decode(&w, &r) == WEFT_OK)
			id = w.id, ts = w.timestamp;
	}
	json_object_set_new(o, "planetWorldId", json_integer((json_int_t)id));
	json_object_set_new(o, "planetWorldTimestamp", json_integer((json_int_t)ts));
}

void weft_api_status(const struct weft_api_request *req, struct weft_api_response *resp)
{
	const struct weft_service *s = req->svc;
	char addr[16], pub[512];
	long n =
	    weft_state_get((void *)s->home, WEFT_STATE_IDENTITY_PUBLIC, 0, pub, sizeof pub - 1);
	pub[n > 0 ? n : 0] = 0;
	snprintf(addr, sizeof addr, "%010llx", (unsigned long long)weft_node_address(s->node));
	json_t *o = json_object();
	json_object_set_new(o, "address", json_string(addr));
	json_object_set_new(o, "publicIdentity", json_string(pub));
	json_object_set_new(o, "online", json_boolean(weft_node_online(s->node)));
	json_object_set_new(o, "tcpFallbackActive", json_false());
	add_version(o, req->now_ms);
	json_object_set_new(o, "config", config(s));
	planet_ids(s, o);
	resp->json = o;
}

void weft_api_health(const struct weft_api_request *req, struct weft_api_response *resp)
{
	json_t *o = json_object();
	json_object_set_new(o, "online", json_boolean(weft_node_online(req->svc->node)));
	add_version(o, req->now_ms);
	resp->json = o;
}
