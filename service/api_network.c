// SPDX-License-Identifier: MPL-2.0
// /network (service.md §2.5.3): the joined networks as the core and their ports show them;
// POST joins and changes member-side settings (written to NWID.local.conf), DELETE leaves.
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "hex.h"
#include "inetaddr.h"
#include "network_port.h"

static const char *status_name(enum weft_network_status st)
{
	switch (st) {
	case WEFT_NETWORK_OK: return "OK";
	case WEFT_NETWORK_ACCESS_DENIED: return "ACCESS_DENIED";
	case WEFT_NETWORK_NOT_FOUND: return "NOT_FOUND";
	case WEFT_NETWORK_PORT_ERROR: return "PORT_ERROR";
	case WEFT_NETWORK_CLIENT_TOO_OLD: return "CLIENT_TOO_OLD";
	case WEFT_NETWORK_AUTHENTICATION_REQUIRED: return "AUTHENTICATION_REQUIRED";
	case WEFT_NETWORK_REQUESTING_CONFIGURATION:
	case WEFT_NETWORK_LEFT: break;
	}
	return "REQUESTING_CONFIGURATION";
}

static json_t *mac_json(uint64_t mac)
{
	char s[18];
	snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(mac >> 40) & 0xff,
	         (unsigned)(mac >> 32) & 0xff, (unsigned)(mac >> 24) & 0xff,
	         (unsigned)(mac >> 16) & 0xff, (unsigned)(mac >> 8) & 0xff, (unsigned)mac & 0xff);
	return json_string(s);
}

// The bare IP ("10.0.0.1", "fd00::1").
static json_t *ip_json(const struct weft_inetaddr *a)
{
	char s[INET6_ADDRSTRLEN];
	inet_ntop(a->family == WEFT_INET_V4 ? AF_INET : AF_INET6, a->ip, s, sizeof s);
	return json_string(s);
}

// "ip/bits": the prefix length travels in the port field.
static json_t *cidr_json(const struct weft_inetaddr *a)
{
	char s[WEFT_INETADDR_STR_MAX];
	weft_inetaddr_to_string(a, s, sizeof s);
	return json_string(s);
}

static json_t *routes_json(const struct weft_network_info *in)
{
	json_t *arr = json_array();
	for (unsigned i = 0; i < in->n_routes && i < WEFT_NETWORK_MAX_ROUTES; i++) {
		const struct weft_network_route *r = &in->routes[i];
		json_t *via = r->via.family == r->target.family ? ip_json(&r->via) : json_null();
		json_array_append_new(arr, json_pack("{s:i, s:i, s:o, s:o}", "flags", r->flags,
		                                     "metric", r->metric, "target",
		                                     cidr_json(&r->target), "via", via));
	}
	return arr;
}

static json_t *dns_json(const struct weft_network_info *in)
{
	json_t *servers = json_array();
	for (unsigned i = 0; i < in->n_dns && i < WEFT_NETWORK_MAX_DNS; i++)
		json_array_append_new(servers, ip_json(&in->dns_servers[i]));
	return json_pack("{s:s, s:o}", "domain", in->dns_domain, "servers", servers);
}

static void port_fields(json_t *o, struct weft_service *s, const struct weft_port *p)
{
	char dev[WEFT_TAP_NAME_MAX];
	json_t *subs = json_array();
	weft_ports_device_name(s, p, dev);
	for (unsigned i = 0; i < p->n_shown; i++)
		json_array_append_new(subs,
		                      json_pack("{s:I, s:o}", "adi", (json_int_t)p->shown[i].adi,
		                                "mac", mac_json(p->shown[i].mac)));
	json_object_set_new(o, "allowManaged", json_boolean(p->settings.allow_managed));
	json_object_set_new(o, "allowGlobal", json_boolean(p->settings.allow_global));
	json_object_set_new(o, "allowDefault", json_boolean(p->settings.allow_default));
	json_object_set_new(o, "allowDNS", json_boolean(p->settings.allow_dns));
	json_object_set_new(o, "portDeviceName", json_string(dev));
	json_object_set_new(o, "portError", json_integer(p->port_error));
	json_object_set_new(o, "multicastSubscriptions", subs);
}

// The network object, or NULL if the node has not joined nwid (or it has no port).
static json_t *network_json(struct weft_service *s, uint64_t nwid)
{
	char id[17];
	struct weft_port *p = weft_ports_find(s, nwid);
	struct weft_network_info *in = malloc(sizeof *in);
	if (!p || !in || weft_node_network_info(s->node, nwid, in) != WEFT_OK) {
		free(in);
		return NULL;
	}
	// The core has no port-error setter: a port that failed shows PORT_ERROR here.
	enum weft_network_status st = p->port_error ? WEFT_NETWORK_PORT_ERROR : in->status;
	json_t *o = json_object(), *addrs = json_array();
	snprintf(id, sizeof id, "%016llx", (unsigned long long)nwid);
	for (unsigned i = 0; i < in->n_addresses && i < WEFT_NETWORK_MAX_ADDRESSES; i++)
		json_array_append_new(addrs, cidr_json(&in->addresses[i]));
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "nwid", json_string(id));
	json_object_set_new(o, "mac", mac_json(in->mac));
	json_object_set_new(o, "name", json_string(in->name));
	json_object_set_new(o, "status", json_string(status_name(st)));
	json_object_set_new(o, "type", json_string(in->is_public ? "PUBLIC" : "PRIVATE"));
	json_object_set_new(o, "mtu",
	                    json_integer(in->has_config ? in->mtu : WEFT_TAP_MTU_DEFAULT));
	json_object_set_new(o, "dhcp", json_false());
	json_object_set_new(o, "bridge", json_boolean(in->bridge));
	json_object_set_new(o, "broadcastEnabled", json_boolean(in->broadcast));
	json_object_set_new(o, "netconfRevision", json_integer((json_int_t)in->revision));
	json_object_set_new(o, "assignedAddresses", addrs);
	json_object_set_new(o, "routes", routes_json(in));
	json_object_set_new(o, "dns", dns_json(in));
	port_fields(o, s, p);
	free(in);
	return o;
}

static uint64_t arg_nwid(const struct weft_api_arg *a)
{
	uint64_t v = 0;
	weft_hex_u64(&v, a->p, a->len); // the router only passes 16 hex digits
	return v;
}

void weft_api_network_list(const struct weft_api_request *req, struct weft_api_response *resp)
{
	uint64_t ids[WEFT_PORTS_MAX];
	size_t n = weft_node_networks(req->svc->node, ids, WEFT_PORTS_MAX);
	resp->json = json_array();
	for (size_t i = 0; i < n && i < WEFT_PORTS_MAX; i++) {
		json_t *o = network_json(req->svc, ids[i]);
		if (o)
			json_array_append_new(resp->json, o);
	}
}

void weft_api_network_get(const struct weft_api_request *req, struct weft_api_response *resp)
{
	resp->json = network_json(req->svc, arg_nwid(&req->args[0]));
	if (!resp->json)
		resp->status = 404; // with {} (§2.5.3)
}

// Each of the four keys is applied only if it is a JSON boolean (§2.5.3 step 2).
static void apply_body(struct weft_network_settings *st, const json_t *b)
{
	static const char *const keys[4] = {"allowManaged", "allowGlobal", "allowDefault",
	                                    "allowDNS"};
	bool *vals[4] = {&st->allow_managed, &st->allow_global, &st->allow_default, &st->allow_dns};
	for (unsigned i = 0; i < 4; i++) {
		json_t *v = json_object_get(b, keys[i]);
		if (json_is_boolean(v))
			*vals[i] = json_is_true(v);
	}
}

void weft_api_network_join(const struct weft_api_request *req, struct weft_api_response *resp)
{
	struct weft_service *s = req->svc;
	uint64_t nwid = arg_nwid(&req->args[0]);
	enum weft_result r;
	json_t *body = weft_api_body_object(req, resp);
	if (!body)
		return; // 400, and not joined
	struct weft_port *p = weft_ports_join(s, nwid, &r);
	if (!p) {
		json_decref(body);
		resp->status = r == WEFT_ERR_INVALID ? 400 : 500;
		resp->json = json_pack("{s:i, s:s}", "error", (int)resp->status, "description",
		                       weft_result_str(r));
		return;
	}
	apply_body(&p->settings, body);
	json_decref(body);
	weft_network_settings_save(&p->settings, s->home, nwid);
	weft_ports_resync(s, p);
	resp->json = network_json(s, nwid); // NULL sends {}
}

void weft_api_network_leave(const struct weft_api_request *req, struct weft_api_response *resp)
{
	if (weft_ports_leave(req->svc, arg_nwid(&req->args[0])) == WEFT_OK)
		resp->json = json_pack("{s:b}", "result", 1);
}
