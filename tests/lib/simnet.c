// SPDX-License-Identifier: MPL-2.0
// The simulated network: hosts, NAT translation and filtering, and an ordered queue of
// datagrams in flight, all driven by one virtual clock and one seeded generator.
#include "simnet.h"

#include "world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_event {
	struct sim_event *next;
	int64_t at_ms;
	struct weft_inetaddr from, to;
	unsigned ttl;
	size_t len;
	uint8_t data[];
};

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s; // xorshift64*
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void v4(struct weft_inetaddr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3,
               uint16_t port)
{
	memset(a, 0, sizeof *a);
	a->family = WEFT_INET_V4;
	a->ip[0] = b0;
	a->ip[1] = b1;
	a->ip[2] = b2;
	a->ip[3] = b3;
	a->port = port;
}

static bool ip_eq(const struct weft_inetaddr *a, const struct weft_inetaddr *b)
{
	return a->family == b->family && !memcmp(a->ip, b->ip, 4);
}

static bool addr_eq(const struct weft_inetaddr *a, const struct weft_inetaddr *b)
{
	return ip_eq(a, b) && a->port == b->port;
}

static void enqueue(struct sim_net *net, const struct weft_inetaddr *from,
                    const struct weft_inetaddr *to, const void *data, size_t len, unsigned ttl)
{
	if (net->loss_permille && rng_next(&net->rng) % 1000 < net->loss_permille) {
		net->dropped_loss++;
		return;
	}
	struct sim_event *e = malloc(sizeof *e + len);
	e->at_ms = net->now_ms + net->latency_ms +
	           (net->jitter_ms ? (int64_t)(rng_next(&net->rng) % net->jitter_ms) : 0);
	e->from = *from;
	e->to = *to;
	e->ttl = ttl;
	e->len = len;
	memcpy(e->data, data, len);
	struct sim_event **pp = &net->queue;
	while (*pp && (*pp)->at_ms <= e->at_ms) // FIFO among equal times
		pp = &(*pp)->next;
	e->next = *pp;
	*pp = e;
}

// Outbound translation at the sender's NAT; returns the mapping used (NULL without NAT).
static struct sim_mapping *nat_out(struct sim_host *h, const struct weft_inetaddr *to)
{
	for (unsigned i = 0; i < h->n_mappings; i++) {
		struct sim_mapping *m = &h->mappings[i];
		if (m->inside_port != h->inside.port)
			continue;
		if (h->nat == SIM_NAT_SYMMETRIC && !addr_eq(&m->dest, to))
			continue;
		return m;
	}
	if (h->n_mappings == SIM_MAX_MAPPINGS)
		return NULL;
	struct sim_mapping *m = &h->mappings[h->n_mappings++];
	memset(m, 0, sizeof *m);
	m->inside_port = h->inside.port;
	m->outside_port = h->next_port++;
	m->dest = *to;
	return m;
}

static void allow(struct sim_mapping *m, const struct weft_inetaddr *to)
{
	for (unsigned i = 0; i < m->n_allowed; i++)
		if (addr_eq(&m->allowed[i], to))
			return;
	if (m->n_allowed < 32)
		m->allowed[m->n_allowed++] = *to;
}

static int wire_send(void *ctx, int64_t local_socket, const struct weft_inetaddr *to,
                     const void *data, size_t len, unsigned ttl)
{
	struct sim_host *h = ctx;
	struct weft_inetaddr from = h->outside;
	(void)local_socket;
	if (h->nat != SIM_NAT_NONE) {
		struct sim_mapping *m = nat_out(h, to);
		if (!m)
			return -1;
		allow(m, to);
		from.port = m->outside_port;
		if (ttl && ttl <= 2)
			return 0; // opened our mapping; expires in the next hop
	}
	enqueue(h->net, &from, to, data, len, ttl);
	return 0;
}

static bool blocked(const struct sim_net *net, const struct weft_inetaddr *a,
                    const struct weft_inetaddr *b)
{
	for (unsigned i = 0; i < net->n_blocks; i++)
		if ((ip_eq(&net->blocks[i].a, a) && ip_eq(&net->blocks[i].b, b)) ||
		    (ip_eq(&net->blocks[i].a, b) && ip_eq(&net->blocks[i].b, a)))
			return true;
	return false;
}

// Inbound: find the host owning `to`, and pass the NAT's filter.
static struct sim_host *nat_in(struct sim_net *net, const struct weft_inetaddr *from,
                               const struct weft_inetaddr *to)
{
	for (unsigned i = 0; i < net->n_hosts; i++) {
		struct sim_host *h = net->hosts[i];
		if (!ip_eq(&h->outside, to))
			continue;
		if (h->nat == SIM_NAT_NONE)
			return h->outside.port == to->port ? h : NULL;
		for (unsigned k = 0; k < h->n_mappings; k++) {
			struct sim_mapping *m = &h->mappings[k];
			if (m->outside_port != to->port)
				continue;
			if (h->nat == SIM_NAT_FULL_CONE)
				return h;
			for (unsigned a = 0; a < m->n_allowed; a++)
				if (addr_eq(&m->allowed[a], from))
					return h;
			return NULL;
		}
		return NULL;
	}
	return NULL;
}

static void deliver(struct sim_net *net, struct sim_event *e)
{
	if (blocked(net, &e->from, &e->to)) {
		net->dropped_block++;
		return;
	}
	struct sim_host *h = nat_in(net, &e->from, &e->to);
	if (!h) {
		net->dropped_nat++;
		return;
	}
	net->delivered++;
	weft_node_process_wire_packet(h->node, net->now_ms, 1, &e->from, e->data, e->len,
	                              &h->deadline_ms);
}

static void host_random(void *ctx, void *buf, size_t len)
{
	struct sim_host *h = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(rng_next(&h->rng) >> 24);
}

void sim_put_object(struct sim_host *h, enum weft_state_object type, uint64_t id, const void *data,
                    size_t len)
{
	for (unsigned i = 0; i < h->n_objects; i++) {
		struct sim_object *o = h->objects[i];
		if (o->type != type || o->id != id)
			continue;
		free(o);
		h->objects[i] = h->objects[--h->n_objects];
		break;
	}
	if (!data || h->n_objects == SIM_MAX_OBJECTS)
		return;
	struct sim_object *o = malloc(sizeof *o + len);
	o->type = type;
	o->id = id;
	o->len = len;
	memcpy(o->data, data, len);
	h->objects[h->n_objects++] = o;
}

static void state_put(void *ctx, enum weft_state_object type, uint64_t id, const void *data,
                      size_t len)
{
	struct sim_host *h = ctx;
	h->puts++;
	if (type == WEFT_STATE_IDENTITY_SECRET && data && len < sizeof h->identity) {
		memcpy(h->identity, data, len);
		h->identity_len = (long)len;
	} else if (type == WEFT_STATE_PLANET && data && len <= sizeof h->planet) {
		memcpy(h->planet, data, len);
		h->planet_len = (long)len;
	} else if (type == WEFT_STATE_MOON || type == WEFT_STATE_PEER) {
		sim_put_object(h, type, id, data, len);
	}
}

static long state_get(void *ctx, enum weft_state_object type, uint64_t id, void *buf, size_t cap)
{
	struct sim_host *h = ctx;
	if (type == WEFT_STATE_IDENTITY_SECRET && h->identity_len > 0 &&
	    (size_t)h->identity_len <= cap) {
		memcpy(buf, h->identity, (size_t)h->identity_len);
		return h->identity_len;
	}
	if (type == WEFT_STATE_PLANET && h->planet_len > 0 && (size_t)h->planet_len <= cap) {
		memcpy(buf, h->planet, (size_t)h->planet_len);
		return h->planet_len;
	}
	for (unsigned i = 0; i < h->n_objects; i++) {
		struct sim_object *o = h->objects[i];
		if (o->type == type && o->id == id && o->len <= cap) {
			memcpy(buf, o->data, o->len);
			return (long)o->len;
		}
	}
	return -1;
}

static void event(void *ctx, enum weft_event ev, const void *data)
{
	struct sim_host *h = ctx;
	if (ev == WEFT_EVENT_ONLINE && h->online_at_ms < 0)
		h->online_at_ms = h->net->now_ms;
	if (ev == WEFT_EVENT_TRACE && h->net->trace)
		printf("[%lld %u] %s\n", (long long)h->net->now_ms, h->index, (const char *)data);
	if (ev == WEFT_EVENT_NETWORK_CONFIG) {
		const struct weft_network_config *c = data;
		free(h->config);
		h->config = malloc(c->len);
		memcpy(h->config, c->dict, c->len);
		h->config_len = c->len;
		h->config_network = c->network_id;
		h->config_update = c->update_id;
		h->n_configs++;
	}
	if (ev == WEFT_EVENT_NETWORK_CONFIG_ERROR) {
		const struct weft_network_config_error *e = data;
		h->n_config_errors++;
		h->config_error = e->code;
	}
	if (ev == WEFT_EVENT_ECHO_REPLY) {
		const struct weft_echo_reply *e = data;
		h->n_echo++;
		h->last_echo_from = e->source;
		h->last_echo_cookie = e->cookie;
	}
	if (ev == WEFT_EVENT_USER_MESSAGE && h->n_inbox < SIM_MAX_INBOX) {
		const struct weft_user_message *m = data;
		struct sim_msg *s = &h->inbox[h->n_inbox++];
		s->from = m->source;
		s->type_id = m->type_id;
		s->at_ms = h->net->now_ms;
		size_t n = m->len < sizeof s->text - 1 ? m->len : sizeof s->text - 1;
		memcpy(s->text, m->data, n);
		s->text[n] = 0;
	}
}

void sim_init(struct sim_net *net, uint64_t seed, unsigned latency_ms, unsigned jitter_ms,
              unsigned loss_permille)
{
	memset(net, 0, sizeof *net);
	net->rng = seed * 2654435761u + 1;
	net->latency_ms = latency_ms;
	net->jitter_ms = jitter_ms;
	net->loss_permille = loss_permille;
	net->now_ms = 1700000000000LL;
}

static void config_request(void *ctx, const struct weft_config_request *req)
{
	struct sim_host *h = ctx;
	if (h->on_config_request)
		h->on_config_request(h, req);
	else
		weft_node_send_config_error(h->node, h->net->now_ms, req->network_id,
		                            req->requester, req->request_id, 5);
}

static void frame_out(void *ctx, const struct weft_frame *f)
{
	struct sim_host *h = ctx;
	if (h->n_frames < SIM_MAX_FRAMES) {
		struct sim_frame *s = &h->frames[h->n_frames];
		s->network_id = f->network_id;
		s->src_mac = f->src_mac;
		s->dst_mac = f->dst_mac;
		s->ethertype = f->ethertype;
		s->len = f->len;
		memcpy(s->data, f->data, f->len < sizeof s->data ? f->len : sizeof s->data);
	}
	h->n_frames++;
}

static bool start_node(struct sim_host *h)
{
	struct weft_node_callbacks cb = {
	    .ctx = h,
	    .wire_send = wire_send,
	    .random = host_random,
	    .state_put = state_put,
	    .state_get = state_get,
	    .event = event,
	    .config_request = config_request,
	    .frame_out = frame_out,
	};
	if (weft_node_new(&h->node, &cb, h->net->now_ms) != WEFT_OK)
		return false;
	h->address = weft_node_address(h->node);
	h->deadline_ms = h->net->now_ms;
	return true;
}

bool sim_restart(struct sim_host *h)
{
	weft_node_free(h->node);
	h->node = NULL;
	h->online_at_ms = -1;
	return start_node(h);
}

uint64_t sim_counter(const struct sim_host *h, const char *name)
{
	const char *names[128];
	uint64_t values[128];
	size_t n = weft_node_counters(h->node, names, values, 128);
	for (size_t i = 0; i < n && i < 128; i++)
		if (!strcmp(names[i], name))
			return values[i];
	return 0;
}

struct sim_host *sim_add_host(struct sim_net *net, enum sim_nat nat, const uint8_t *planet,
                              size_t planet_len)
{
	if (net->n_hosts == SIM_MAX_HOSTS)
		return NULL;
	struct sim_host *h = calloc(1, sizeof *h);
	unsigned i = net->n_hosts;
	h->net = net;
	h->index = i;
	h->nat = nat;
	h->rng = rng_next(&net->rng) | 1;
	h->online_at_ms = -1;
	h->next_port = 20000;
	// Public side 198.18.<i>.10 (one /24 each: roots rate-limit new identities per /24),
	// inside addresses 10.<i>.0.2.
	v4(&h->outside, 198, 18, (uint8_t)i, 10, 9993);
	if (nat == SIM_NAT_NONE)
		h->inside = h->outside;
	else
		v4(&h->inside, 10, (uint8_t)i, 0, 2, 9993);
	if (planet && planet_len <= sizeof h->planet) {
		memcpy(h->planet, planet, planet_len);
		h->planet_len = (long)planet_len;
	}
	if (!start_node(h)) {
		free(h);
		return NULL;
	}
	net->hosts[net->n_hosts++] = h;
	return h;
}

void sim_free(struct sim_net *net)
{
	for (unsigned i = 0; i < net->n_hosts; i++) {
		weft_node_free(net->hosts[i]->node);
		for (unsigned k = 0; k < net->hosts[i]->n_objects; k++)
			free(net->hosts[i]->objects[k]);
		free(net->hosts[i]->config);
		free(net->hosts[i]);
	}
	while (net->queue) {
		struct sim_event *e = net->queue;
		net->queue = e->next;
		free(e);
	}
	net->n_hosts = 0;
}

void sim_run_until(struct sim_net *net, int64_t until_ms)
{
	for (;;) {
		int64_t next = until_ms;
		if (net->queue && net->queue->at_ms < next)
			next = net->queue->at_ms;
		for (unsigned i = 0; i < net->n_hosts; i++)
			if (net->hosts[i]->deadline_ms < next)
				next = net->hosts[i]->deadline_ms;
		if (next > until_ms)
			break;
		if (next > net->now_ms)
			net->now_ms = next;
		if (net->queue && net->queue->at_ms <= net->now_ms) {
			struct sim_event *e = net->queue;
			net->queue = e->next;
			deliver(net, e);
			free(e);
			continue;
		}
		for (unsigned i = 0; i < net->n_hosts; i++) {
			struct sim_host *h = net->hosts[i];
			if (h->deadline_ms <= net->now_ms)
				weft_node_process_background(h->node, net->now_ms, &h->deadline_ms);
		}
		if (net->now_ms >= until_ms && (!net->queue || net->queue->at_ms > until_ms))
			break;
	}
	net->now_ms = until_ms;
}

void sim_block(struct sim_net *net, const struct weft_inetaddr *a, const struct weft_inetaddr *b)
{
	if (net->n_blocks < SIM_MAX_BLOCKS) {
		net->blocks[net->n_blocks].a = *a;
		net->blocks[net->n_blocks].b = *b;
		net->n_blocks++;
	}
}

void sim_unblock_all(struct sim_net *net)
{
	net->n_blocks = 0;
}

bool sim_has_direct_path(struct sim_host *h, uint64_t peer)
{
	static struct weft_peer_info info[SIM_MAX_HOSTS + 8];
	size_t n = weft_node_peers(h->node, h->net->now_ms, info, SIM_MAX_HOSTS + 8);
	for (size_t i = 0; i < n && i < SIM_MAX_HOSTS + 8; i++) {
		if (info[i].address != peer)
			continue;
		for (unsigned k = 0; k < info[i].n_paths; k++)
			if (info[i].paths[k].alive && !info[i].paths[k].expired)
				return true;
	}
	return false;
}

unsigned sim_count_msgs(const struct sim_host *h, uint64_t from, const char *text)
{
	unsigned n = 0;
	for (unsigned i = 0; i < h->n_inbox; i++)
		if (h->inbox[i].from == from && !strcmp(h->inbox[i].text, text))
			n++;
	return n;
}

size_t sim_make_planet(struct sim_host *root, uint8_t *out, size_t cap)
{
	struct weft_world w = {.type = WEFT_WORLD_PLANET, .id = 0x5e1f, .timestamp = 1};
	struct weft_identity id;
	struct weft_wbuf b;
	weft_identity_from_string(&id, root->identity, (size_t)root->identity_len, NULL);
	memcpy(w.update_key, id.pub, 64);
	w.n_roots = 1;
	w.roots[0].identity = id;
	w.roots[0].identity.has_secret = false;
	memset(w.roots[0].identity.sec, 0, 64);
	w.roots[0].n_endpoints = 1;
	w.roots[0].endpoints[0] = root->outside;
	weft_world_sign(&w, id.pub, id.sec);
	weft_identity_clear(&id);
	wbuf_init(&b, out, cap);
	weft_world_encode(&w, &b);
	return b.bad ? 0 : b.len;
}
