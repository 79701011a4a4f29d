// SPDX-License-Identifier: MPL-2.0
// Unicast VL2 frames (vl2.md §7): from the local port to members (FRAME, or EXT_FRAME when
// bridged), from members to the port, the rules pipelines around both (§6.7, §6.8) with their
// TEE/WATCH/REDIRECT copies, the sender-authentication bits (§6.5) and NDP emulation (§1.6).
#include <string.h>

#include "ndp.h"
#include "node.h"
#include "vl2addr.h"

#define FRAME_PUSH_MAX_AGE 500000 // credentials re-pushed before frames at least this often
#define MAX_BRIDGE_FLOOD   32

static uint32_t random32(void *ctx)
{
	return (uint32_t)weft_node_random_u64(ctx);
}

static bool is_multicast(uint64_t mac)
{
	return (mac >> 40) & 0x01;
}

static struct weft_rules_frame rules_frame(const struct weft_frame *f)
{
	return (struct weft_rules_frame){f->src_mac, f->dst_mac, f->ethertype, 0, f->data, f->len};
}

static size_t own_tags(const struct weft_network *net, struct weft_rules_tag *out, size_t cap)
{
	size_t k = 0;
	for (unsigned i = 0; i < net->nc->n_tags && k < cap; i++)
		out[k++] = (struct weft_rules_tag){net->nc->tags[i].id, net->nc->tags[i].value};
	return k;
}

// Outbound authentication bits: one of our own COOs owns the sender address or MAC (§6.5).
static uint64_t own_auth(const struct weft_network *net, const struct weft_rules_frame *rf)
{
	uint8_t ip[16], mac[6];
	bool ns;
	uint64_t bits = 0;
	size_t iplen = weft_rules_sender_ip(rf, ip, &ns);
	struct weft_inetaddr a = {.family = iplen == 4 ? WEFT_INET_V4 : WEFT_INET_V6};
	memcpy(a.ip, ip, iplen);
	weft_vl2_mac_to_bytes(mac, rf->src_mac);
	for (unsigned i = 0; i < net->nc->n_coos; i++) {
		if (ns || (iplen && weft_coo_owns_ip(&net->nc->coos[i], &a)))
			bits |= WEFT_RULES_CF_SENDER_IP_AUTH;
		if (weft_coo_owns_mac(&net->nc->coos[i], mac))
			bits |= WEFT_RULES_CF_SENDER_MAC_AUTH;
	}
	return bits;
}

// Inbound: the peer's valid COOs, or our own NDP-emulated prefix for IPv6 (§6.5).
static uint64_t peer_auth(const struct weft_network *net, const struct weft_membership *m,
                          uint64_t n_self, const struct weft_rules_frame *rf)
{
	uint8_t ip[16];
	bool ns;
	uint64_t bits = 0;
	size_t iplen = weft_rules_sender_ip(rf, ip, &ns);
	if (ns || (iplen && m && weft_membership_owns_ip(net, m, ip, iplen)))
		bits |= WEFT_RULES_CF_SENDER_IP_AUTH;
	if (iplen == 16 && (net->nc->flags & WEFT_NETCONF_F_ENABLE_IPV6_NDP_EMULATION)) {
		uint8_t plane[16], rfc[16]; // our own, if the config gave them to us
		weft_vl2_6plane(plane, net->nwid, n_self);
		weft_vl2_rfc4193(rfc, net->nwid, n_self);
		for (unsigned i = 0; i < net->nc->n_static_ips; i++) {
			const struct weft_inetaddr *s = &net->nc->static_ips[i];
			if (s->family != WEFT_INET_V6)
				continue;
			if ((!memcmp(s->ip, plane, 16) && !memcmp(plane, ip, 5)) ||
			    (!memcmp(s->ip, rfc, 16) && !memcmp(rfc, ip, 11)))
				bits |= WEFT_RULES_CF_SENDER_IP_AUTH;
		}
	}
	uint8_t mac[6]; // MAC ownership is only ever shown by a valid COO
	weft_vl2_mac_to_bytes(mac, rf->src_mac);
	if (weft_membership_owns_mac(net, m, mac))
		bits |= WEFT_RULES_CF_SENDER_MAC_AUTH;
	return bits;
}

// EXT_FRAME: nwid | flags | dst MAC | src MAC | ethertype | the first len payload bytes.
static void send_ext(struct weft_node *n, int64_t now_ms, const struct weft_network *net,
                     uint64_t to, uint8_t flags, const struct weft_frame *f, size_t len)
{
	struct weft_wbuf w;
	uint8_t mac[6];
	if (!to || to == n->self.address)
		return;
	wbuf_init(&w, n->vl2_buf, sizeof n->vl2_buf);
	wbuf_u64(&w, net->nwid);
	wbuf_u8(&w, flags);
	weft_vl2_mac_to_bytes(mac, f->dst_mac);
	wbuf_bytes(&w, mac, 6);
	weft_vl2_mac_to_bytes(mac, f->src_mac);
	wbuf_bytes(&w, mac, 6);
	wbuf_u16(&w, f->ethertype);
	wbuf_bytes(&w, f->data, len && len < f->len ? len : f->len);
	if (!w.bad)
		weft_tx_send(n, now_ms, to, WEFT_VERB_EXT_FRAME, n->vl2_buf, w.len, true, true);
}

static void send_copies(struct weft_node *n, int64_t now_ms, const struct weft_network *net,
                        const struct weft_frame *f, const struct weft_rules_outcome *o)
{
	for (unsigned i = 0; i < o->n_copies; i++)
		send_ext(n, now_ms, net, o->copies[i].to, o->copies[i].flags, f, o->copies[i].len);
}

bool weft_frame_filter_out(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                           const struct weft_frame *f, uint64_t zt_dest, bool no_tee)
{
	struct weft_rules_tag mine[WEFT_NETCONF_MAX_TAGS], theirs[WEFT_LIMIT_MEMBER_TAGS];
	struct weft_rules_list caps[WEFT_NETCONF_MAX_CAPS];
	struct weft_rules_outcome o;
	const struct weft_netconf *nc = net->nc;
	struct weft_rules_frame rf = rules_frame(f);
	struct weft_membership *m = zt_dest ? weft_membership_get(net, zt_dest, false) : NULL;
	for (unsigned i = 0; i < nc->n_caps; i++) // ascending ID, as the controller issues them
		caps[i] = (struct weft_rules_list){nc->caps[i].rules, nc->caps[i].n_rules};
	struct weft_rules_ctx ctx = {
	    .dir = WEFT_RULES_OUTBOUND,
	    .me = n->self.address,
	    .zt_source = n->self.address,
	    .zt_dest = zt_dest,
	    .frame = &rf,
	    .local_tags = mine,
	    .n_local_tags = own_tags(net, mine, WEFT_NETCONF_MAX_TAGS),
	    .remote_tags = theirs,
	    .n_remote_tags = m ? weft_membership_tags(net, m, theirs, WEFT_LIMIT_MEMBER_TAGS) : 0,
	    .net_flags = nc->flags,
	    .sender_auth = own_auth(net, &rf),
	    .no_tee = no_tee,
	    .random = random32,
	    .random_ctx = n,
	};
	struct weft_rules_list base = {nc->rules, nc->n_rules};
	weft_rules_filter(&ctx, &base, caps, nc->n_caps, &o);
	send_copies(n, now_ms, net, f, &o);
	return o.verdict == WEFT_RULES_VERDICT_ACCEPT;
}

int weft_frame_filter_in(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                         uint64_t from, const struct weft_frame *f)
{
	struct weft_rules_tag mine[WEFT_NETCONF_MAX_TAGS], theirs[WEFT_LIMIT_MEMBER_TAGS];
	struct weft_rules_list caps[WEFT_LIMIT_MEMBER_CAPS];
	struct weft_rules_outcome o;
	const struct weft_netconf *nc = net->nc;
	struct weft_rules_frame rf = rules_frame(f);
	struct weft_membership *m = weft_membership_get(net, from, true);
	struct weft_rules_ctx ctx = {
	    .dir = WEFT_RULES_INBOUND,
	    .me = n->self.address,
	    .zt_source = from,
	    .zt_dest = n->self.address,
	    .frame = &rf,
	    .local_tags = mine,
	    .n_local_tags = own_tags(net, mine, WEFT_NETCONF_MAX_TAGS),
	    .remote_tags = theirs,
	    .n_remote_tags = m ? weft_membership_tags(net, m, theirs, WEFT_LIMIT_MEMBER_TAGS) : 0,
	    .net_flags = nc->flags,
	    .sender_auth = peer_auth(net, m, n->self.address, &rf),
	    .random = random32,
	    .random_ctx = n,
	};
	struct weft_rules_list base = {nc->rules, nc->n_rules};
	size_t n_caps = m ? weft_membership_caps(net, m, caps, WEFT_LIMIT_MEMBER_CAPS) : 0;
	weft_rules_filter(&ctx, &base, caps, n_caps, &o);
	send_copies(n, now_ms, net, f, &o);
	return o.verdict == WEFT_RULES_VERDICT_SUPER_ACCEPT ? 2
	       : o.verdict == WEFT_RULES_VERDICT_ACCEPT     ? 1
	                                                    : 0;
}

void weft_frame_deliver(struct weft_node *n, const struct weft_frame *f)
{
	if (n->cb.frame_out)
		n->cb.frame_out(n->cb.ctx, f);
}

// ERROR(in-re verb, packet ID, NEED_MEMBERSHIP_CERTIFICATE, nwid) makes the sender push its
// credentials; the frame waits here and is retried when credentials arrive, for 5 s (§5.10).
void weft_frame_gate_failed(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                            const uint8_t *pkt, size_t len, uint64_t nwid)
{
	struct weft_wbuf w;
	uint8_t buf[1 + 8 + 1 + 8];
	wbuf_init(&w, buf, sizeof buf);
	wbuf_u8(&w, pkt[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_MASK);
	wbuf_bytes(&w, pkt + WEFT_WIRE_IDX_ID, 8);
	wbuf_u8(&w, WEFT_ERROR_NEED_MEMBERSHIP_CERTIFICATE);
	wbuf_u64(&w, nwid);
	weft_tx_send(n, now_ms, p->id.address, WEFT_VERB_ERROR, buf, w.len, false, true);
	if (n->gate_retrying) {
		n->gate_retry_failed = true;
		return;
	}
	struct weft_gate_wait *slot = &n->gate_wait[0];
	for (unsigned i = 0; i < WEFT_LIMIT_GATE_WAIT; i++) {
		if (!n->gate_wait[i].from) {
			slot = &n->gate_wait[i];
			break;
		}
		if (n->gate_wait[i].created_ms < slot->created_ms)
			slot = &n->gate_wait[i];
	}
	if (slot->from)
		weft_count(n, WEFT_CTR_DROP_GATE); // the oldest waiting frame gives way
	slot->from = p->id.address;
	slot->created_ms = now_ms;
	slot->len = (uint16_t)len;
	memcpy(slot->pkt, pkt, len);
}

void weft_frame_retry(struct weft_node *n, int64_t now_ms)
{
	if (n->gate_retrying)
		return;
	for (unsigned i = 0; i < WEFT_LIMIT_GATE_WAIT; i++) {
		struct weft_gate_wait *g = &n->gate_wait[i];
		struct weft_peer *p;
		if (!g->from)
			continue;
		if (now_ms - g->created_ms > WEFT_T_GATE_WAIT ||
		    !(p = weft_peer_find(n, g->from))) {
			weft_count(n, WEFT_CTR_DROP_GATE);
			g->from = 0;
			continue;
		}
		n->gate_retrying = true;
		n->gate_retry_failed = false;
		switch (g->pkt[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_MASK) {
		case WEFT_VERB_FRAME: weft_rx_frame(n, now_ms, p, g->pkt, g->len); break;
		case WEFT_VERB_EXT_FRAME: weft_rx_ext_frame(n, now_ms, p, g->pkt, g->len); break;
		default: weft_rx_multicast_frame(n, now_ms, p, g->pkt, g->len); break;
		}
		n->gate_retrying = false;
		if (!n->gate_retry_failed)
			g->from = 0; // delivered (or dropped by the rules): done
	}
}

// The network a frame is for, if we are in it and the sender passes the gate (§7.4 step 1).
static struct weft_network *admit(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                                  const uint8_t *pkt, size_t len, uint64_t nwid)
{
	struct weft_network *net = weft_network_find(n, nwid);
	if (!net || !net->nc)
		return NULL;
	if (!weft_membership_gate(n, net, p->id.address)) {
		weft_frame_gate_failed(n, now_ms, p, pkt, len, nwid);
		return NULL;
	}
	struct weft_membership *m = weft_membership_get(net, p->id.address, true);
	if (m)
		weft_mcast_announce_to(n, now_ms, net, m);
	return net;
}

void weft_rx_frame(struct weft_node *n, int64_t now_ms, struct weft_peer *p, const uint8_t *pkt,
                   size_t len)
{
	struct weft_rbuf r;
	rbuf_init(&r, pkt + WEFT_WIRE_IDX_PAYLOAD, len - WEFT_WIRE_IDX_PAYLOAD);
	uint64_t nwid = rbuf_u64(&r);
	uint16_t ethertype = rbuf_u16(&r);
	if (r.bad) {
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	p->last_active_ms = now_ms;
	struct weft_network *net = admit(n, now_ms, p, pkt, len, nwid);
	if (!net || !rbuf_left(&r))
		return;
	struct weft_frame f = {
	    .network_id = nwid,
	    .src_mac = weft_vl2_mac_from_address(p->id.address, nwid),
	    .dst_mac = net->mac,
	    .ethertype = ethertype,
	    .data = r.p + r.pos,
	    .len = rbuf_left(&r),
	};
	if (weft_frame_filter_in(n, now_ms, net, p->id.address, &f) > 0)
		weft_frame_deliver(n, &f);
}

void weft_rx_ext_frame(struct weft_node *n, int64_t now_ms, struct weft_peer *p, const uint8_t *pkt,
                       size_t len)
{
	struct weft_rbuf r;
	struct weft_com com;
	rbuf_init(&r, pkt + WEFT_WIRE_IDX_PAYLOAD, len - WEFT_WIRE_IDX_PAYLOAD);
	uint64_t nwid = rbuf_u64(&r);
	uint8_t flags = rbuf_u8(&r);
	if (!r.bad && (flags & 0x01) && weft_com_decode(&com, &r) != WEFT_OK)
		r.bad = true; // an inline COM (never sent by 1.14) is skipped; pushes carry them
	const uint8_t *to = rbuf_take(&r, 6), *from = rbuf_take(&r, 6);
	uint16_t ethertype = rbuf_u16(&r);
	if (r.bad) {
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	p->last_active_ms = now_ms;
	struct weft_network *net = admit(n, now_ms, p, pkt, len, nwid);
	if (!net)
		return;
	struct weft_frame f = {
	    .network_id = nwid,
	    .src_mac = weft_vl2_mac_from_bytes(from),
	    .dst_mac = weft_vl2_mac_from_bytes(to),
	    .ethertype = ethertype,
	    .data = r.p + r.pos,
	    .len = rbuf_left(&r),
	};
	if (!f.src_mac || f.src_mac == net->mac)
		return;
	int a = weft_frame_filter_in(n, now_ms, net, p->id.address, &f);
	bool ok = a == 2;
	if (a == 1) {
		if (f.src_mac != weft_vl2_mac_from_address(p->id.address, nwid)) {
			ok = weft_network_is_bridge(net, p->id.address); // bridged by p
			if (ok)
				weft_bridge_learn(net, f.src_mac, p->id.address);
		} else if (f.dst_mac != net->mac)
			ok = is_multicast(f.dst_mac) ? net->nc->multicast_limit > 0
			                             : weft_network_is_bridge(net, n->self.address);
		else
			ok = true;
	}
	if (ok)
		weft_frame_deliver(n, &f);
	if ((flags & 0x10) && (ok || a == 0)) { // acknowledgement requested: OK(EXT_FRAME)
		uint8_t ack[1 + 8 + 8];
		ack[0] = WEFT_VERB_EXT_FRAME;
		memcpy(ack + 1, pkt + WEFT_WIRE_IDX_ID, 8);
		store_be64(ack + 9, nwid);
		weft_tx_send(n, now_ms, p->id.address, WEFT_VERB_OK, ack, sizeof ack, false, true);
	}
}

// NDP for a neighbour's RFC4193/6PLANE address is answered locally (§1.6): true if done.
static bool ndp(struct weft_node *n, const struct weft_network *net, const struct weft_frame *f)
{
	uint8_t frame[14 + 128], na[WEFT_NDP_ADVERT_LEN];
	size_t len = f->len < 128 ? f->len : 128; // the emulation reads the first 78 bytes
	struct weft_ndp_config c = {net->nwid, n->self.address,
	                            (net->nc->flags & WEFT_NETCONF_F_ENABLE_IPV6_NDP_EMULATION) !=
	                                0,
	                            net->nc->static_ips, net->nc->n_static_ips};
	weft_vl2_mac_to_bytes(frame, f->dst_mac);
	weft_vl2_mac_to_bytes(frame + 6, f->src_mac);
	store_be16(frame + 12, f->ethertype);
	memcpy(frame + 14, f->data, len);
	if (weft_ndp_emulate(&c, frame, 14 + len, na) != WEFT_NDP_ADVERT_LEN)
		return false;
	struct weft_frame adv = {
	    .network_id = net->nwid,
	    .dst_mac = weft_vl2_mac_from_bytes(na),
	    .src_mac = weft_vl2_mac_from_bytes(na + 6),
	    .ethertype = load_be16(na + 12),
	    .data = na + 14,
	    .len = WEFT_NDP_ADVERT_LEN - 14,
	};
	weft_frame_deliver(n, &adv);
	return true;
}

// An IPv4 ARP request to broadcast goes to (broadcast, target IP) (§1.4).
static bool arp_request(const struct weft_frame *f, uint32_t *target)
{
	const uint8_t *p = f->data;
	if (f->ethertype != 0x0806 || f->len < 28 || p[2] != 0x08 || p[3] != 0x00 || p[4] != 6 ||
	    p[5] != 4 || p[7] != 0x01)
		return false;
	*target = load_be32(p + 24);
	return true;
}

static void send_unicast(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                         const struct weft_frame *f, bool bridged)
{
	uint64_t dest = weft_vl2_mac_to_address(f->dst_mac, net->nwid);
	if (!weft_frame_filter_out(n, now_ms, net, f, dest, false))
		return;
	weft_membership_push(n, now_ms, net, dest, FRAME_PUSH_MAX_AGE);
	if (bridged) {
		send_ext(n, now_ms, net, dest, 0, f, 0);
		return;
	}
	struct weft_wbuf w;
	wbuf_init(&w, n->vl2_buf, sizeof n->vl2_buf);
	wbuf_u64(&w, net->nwid);
	wbuf_u16(&w, f->ethertype);
	wbuf_bytes(&w, f->data, f->len);
	if (!w.bad) // 1.14 sends FRAME uncompressed
		weft_tx_send(n, now_ms, dest, WEFT_VERB_FRAME, n->vl2_buf, w.len, false, true);
}

static size_t route_slot(uint64_t mac)
{
	return (size_t)((mac * 0x9e3779b97f4a7c15ULL) >> 54) % WEFT_LIMIT_BRIDGE_ROUTES;
}

void weft_bridge_learn(struct weft_network *net, uint64_t mac, uint64_t bridge)
{
	size_t i = route_slot(mac);
	net->bridge_routes[i].mac = mac;
	net->bridge_routes[i].bridge = bridge;
}

uint64_t weft_bridge_route(const struct weft_network *net, uint64_t mac)
{
	size_t i = route_slot(mac);
	return net->bridge_routes[i].bridge && net->bridge_routes[i].mac == mac
	           ? net->bridge_routes[i].bridge
	           : 0;
}

static void to_bridge(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                      const struct weft_frame *f, uint64_t bridge)
{
	if (weft_frame_filter_out(n, now_ms, net, f, bridge, true))
		send_ext(n, now_ms, net, bridge, 0, f, 0);
}

// Unknown unicast MACs (§7.6): to the bridge known to have them, else to every active bridge
// (32 random picks when there are more), never to ordinary members.
static void send_to_bridges(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                            const struct weft_frame *f)
{
	uint64_t bridges[WEFT_NETCONF_MAX_SPECIALISTS];
	unsigned nb = 0;
	if (!weft_frame_filter_out(n, now_ms, net, f, 0, false))
		return;
	uint64_t known = weft_bridge_route(net, f->dst_mac);
	if (known && known != n->self.address && weft_network_is_bridge(net, known)) {
		to_bridge(n, now_ms, net, f, known);
		return;
	}
	for (unsigned i = 0; i < net->nc->n_specialists; i++)
		if (net->nc->specialists[i] & WEFT_NETCONF_SPECIALIST_ACTIVE_BRIDGE)
			bridges[nb++] =
			    net->nc->specialists[i] & WEFT_NETCONF_SPECIALIST_ADDRESS_MASK;
	if (nb <= MAX_BRIDGE_FLOOD) {
		for (unsigned i = 0; i < nb; i++)
			to_bridge(n, now_ms, net, f, bridges[i]);
		return;
	}
	for (unsigned k = 0; k < MAX_BRIDGE_FLOOD; k++) // the same bridge may be picked twice
		to_bridge(n, now_ms, net, f, bridges[weft_node_random_u64(n) % nb]);
}

// A multicast leaving our port from a bridged MAC: its group is announced as ours (§7.5).
static void remember_behind(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                            const struct weft_vl2_mcgroup *g)
{
	for (unsigned i = 0; i < net->n_behind; i++)
		if (!weft_vl2_mcgroup_cmp(&net->behind[i], g))
			return;
	if (net->n_behind >= WEFT_LIMIT_NETWORK_SUBS)
		return;
	net->behind[net->n_behind++] = *g;
	weft_mcast_announce(n, now_ms, net, g);
}

enum weft_result weft_node_process_frame(struct weft_node *n, int64_t now_ms,
                                         const struct weft_frame *f, int64_t *next_deadline_ms)
{
	struct weft_network *net = weft_network_find(n, f->network_id);
	enum weft_result r = WEFT_OK;
	if (!net)
		r = WEFT_ERR_NOT_FOUND;
	else if (!net->nc || f->len > WEFT_NETCONF_MTU_MAX)
		r = WEFT_ERR_INVALID;
	bool bridged = net && f->src_mac != net->mac;
	if (r == WEFT_OK && bridged && !weft_network_is_bridge(net, n->self.address))
		r = WEFT_ERR_INVALID; // only active bridges may send for other MACs
	if (r != WEFT_OK) {
		if (next_deadline_ms)
			*next_deadline_ms = weft_timers_run(n, now_ms);
		return r;
	}
	if (is_multicast(f->dst_mac)) {
		struct weft_vl2_mcgroup g = {f->dst_mac, 0};
		uint32_t target;
		bool drop = false;
		if (f->dst_mac == WEFT_MAC_BROADCAST) {
			if (arp_request(f, &target))
				g.adi = target;
			else if (!(net->nc->flags & WEFT_NETCONF_F_ENABLE_BROADCAST))
				drop = true;
		} else if (ndp(n, net, f)) {
			drop = true;
		}
		if (!drop && net->nc->multicast_limit) {
			if (bridged)
				remember_behind(n, now_ms, net, &g);
			if (weft_frame_filter_out(n, now_ms, net, f, 0, false))
				weft_mcast_send(n, now_ms, net, &g, f);
		}
	} else if (f->dst_mac == net->mac) {
		weft_frame_deliver(n, f);
	} else if (weft_vl2_mac_is_member(f->dst_mac, net->nwid)) {
		send_unicast(n, now_ms, net, f, bridged);
	} else {
		send_to_bridges(n, now_ms, net, f);
	}
	if (next_deadline_ms)
		*next_deadline_ms = weft_timers_run(n, now_ms);
	return WEFT_OK;
}
