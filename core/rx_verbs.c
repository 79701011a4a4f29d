// SPDX-License-Identifier: MPL-2.0
// One handler per VL1 verb (vl1.md §5), after authentication. The dispatcher only switches.
#include "node.h"

struct rx {
	struct weft_node *n;
	int64_t now_ms;
	struct weft_peer *p;
	int64_t sock;
	const struct weft_inetaddr *from;
	uint8_t *pkt;
	size_t len;
	unsigned hops;
};

static void learn_if_direct(const struct rx *r, uint8_t verb)
{
	if (r->hops == 0)
		weft_rx_learn(r->n, r->now_ms, r->p, r->sock, r->from, verb);
}

static void rx_ok_whois(const struct rx *r, struct weft_rbuf *b)
{
	struct weft_identity id;
	// Only an upstream is believed, and only its first identity (vl1.md §5.6).
	if (!weft_topology_is_upstream(r->n, r->p->id.address))
		return;
	if (weft_identity_decode(&id, b) != WEFT_OK || id.has_secret) {
		weft_count(r->n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	if (id.address == r->n->self.address)
		return;
	struct weft_peer *known = weft_peer_find(r->n, id.address);
	if (known && !weft_identity_equal_public(&known->id, &id))
		return;
	if (!known && !weft_peer_add(r->n, r->now_ms, &id))
		return;
	weft_tx_peer_known(r->n, r->now_ms, id.address);
}

static void rx_ok(const struct rx *r)
{
	struct weft_rbuf b;
	rbuf_init(&b, r->pkt + WEFT_WIRE_IDX_PAYLOAD, r->len - WEFT_WIRE_IDX_PAYLOAD);
	uint8_t in_re_verb = rbuf_u8(&b);
	uint64_t in_re_id = rbuf_u64(&b);
	if (b.bad)
		goto drop_malformed;
	if (!weft_tx_expected(r->n, in_re_id))
		goto drop_unexpected;
	learn_if_direct(r, WEFT_VERB_OK);
	switch (in_re_verb & WEFT_WIRE_VERB_MASK) {
	case WEFT_VERB_HELLO:
		weft_rx_ok_hello(r->n, r->now_ms, r->p, r->sock, r->from, r->pkt, r->len, r->hops);
		break;
	case WEFT_VERB_WHOIS: rx_ok_whois(r, &b); break;
	case WEFT_VERB_NETWORK_CONFIG_REQUEST: // a configuration chunk for us as a member
		weft_rx_config_chunk(r->n, r->now_ms, r->p, r->pkt + WEFT_WIRE_IDX_PAYLOAD + b.pos,
		                     rbuf_left(&b));
		break;
	case WEFT_VERB_MULTICAST_GATHER:
		weft_rx_ok_multicast_gather(r->n, r->now_ms, r->p,
		                            r->pkt + WEFT_WIRE_IDX_PAYLOAD + b.pos, rbuf_left(&b));
		break;
	case WEFT_VERB_MULTICAST_FRAME:
		weft_rx_ok_multicast_frame(r->n, r->now_ms, r->p,
		                           r->pkt + WEFT_WIRE_IDX_PAYLOAD + b.pos, rbuf_left(&b));
		break;
	case WEFT_VERB_ECHO:
		if (rbuf_left(&b) == 8) { // the answer to weft_node_ping
			struct weft_echo_reply e = {r->p->id.address, rbuf_u64(&b), r->hops == 0};
			r->n->cb.event(r->n->cb.ctx, WEFT_EVENT_ECHO_REPLY, &e);
		}
		break;
	default: // OK(ECHO) and others: their only effect is path learning, done above
		break;
	}
	return;
drop_malformed:
	weft_count(r->n, WEFT_CTR_DROP_MALFORMED);
	return;
drop_unexpected:
	weft_count(r->n, WEFT_CTR_DROP_OK_UNEXPECTED);
}

static void rx_error(const struct rx *r)
{
	struct weft_rbuf b;
	rbuf_init(&b, r->pkt + WEFT_WIRE_IDX_PAYLOAD, r->len - WEFT_WIRE_IDX_PAYLOAD);
	uint8_t in_re_verb = rbuf_u8(&b);
	rbuf_u64(&b); // in-re packet ID
	uint8_t code = rbuf_u8(&b);
	if (b.bad) {
		weft_count(r->n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	learn_if_direct(r, WEFT_VERB_ERROR);
	weft_rx_config_error(r->n, r->p, in_re_verb & WEFT_WIRE_VERB_MASK, code,
	                     r->pkt + WEFT_WIRE_IDX_PAYLOAD + b.pos, rbuf_left(&b));
	if (code == WEFT_ERROR_NEED_MEMBERSHIP_CERTIFICATE && rbuf_left(&b) >= 8)
		weft_membership_need_certificate(r->n, r->now_ms, r->p, rbuf_u64(&b));
	if (code == WEFT_ERROR_IDENTITY_COLLISION &&
	    weft_topology_is_upstream(r->n, r->p->id.address))
		r->n->cb.event(r->n->cb.ctx, WEFT_EVENT_IDENTITY_COLLISION, NULL);
}

static void rx_whois(const struct rx *r)
{
	struct weft_node *n = r->n;
	struct weft_wbuf w;
	if (!n->is_upstream && r->now_ms - r->p->last_whois_in_ms < WEFT_T_WHOIS_RATE_LIMIT) {
		weft_count(n, WEFT_CTR_DROP_WHOIS_RATE);
		return;
	}
	r->p->last_whois_in_ms = r->now_ms;
	learn_if_direct(r, WEFT_VERB_WHOIS);
	size_t len = weft_rx_reply_begin(n, r->p, WEFT_VERB_WHOIS, r->pkt);
	wbuf_init(&w, n->tx_buf + len, WEFT_PACKET_MAX_LEN - len);
	size_t found = 0;
	for (size_t off = WEFT_WIRE_IDX_PAYLOAD; off + 5 <= r->len && !w.bad; off += 5) {
		uint64_t a = load_be40(r->pkt + off);
		const struct weft_peer *q = weft_peer_find(n, a);
		if (a == n->self.address || q) {
			weft_identity_encode(a == n->self.address ? &n->self : &q->id, false, &w);
			found++;
		}
	}
	if (found && !w.bad)
		weft_tx_on_path(n, r->now_ms, r->p, r->sock, r->from, len + w.len);
	// Unknown addresses: we ask our upstream, but do not answer the requester later.
	for (size_t off = WEFT_WIRE_IDX_PAYLOAD; off + 5 <= r->len; off += 5) {
		uint64_t a = load_be40(r->pkt + off);
		if (a != n->self.address && !weft_address_is_reserved(a) && !weft_peer_find(n, a))
			weft_tx_whois(n, r->now_ms, a);
	}
}

// Says hello at `to`: ECHO if the peer's version is known (>= 5), else HELLO from every socket.
static void contact(struct weft_node *n, int64_t now_ms, struct weft_peer *peer, int64_t sock,
                    const struct weft_inetaddr *to)
{
	if (peer->proto >= 5) {
		size_t len = weft_tx_build(n, peer->id.address, WEFT_VERB_ECHO, NULL, 0);
		weft_tx_on_path(n, now_ms, peer, sock, to, len);
		weft_count(n, WEFT_CTR_ECHO_SENT);
	} else {
		weft_tx_hello(n, now_ms, peer, -1, to);
	}
}

// Opens our NAT toward `to` now (4 random bytes, TTL 2: they die before the far side) and
// schedules the hello for a little later (vl1.md §5.7; WEFT_T_CONTACT_DELAY says why).
static void punch(struct weft_node *n, int64_t now_ms, uint64_t peer, int64_t sock,
                  const struct weft_inetaddr *to)
{
	uint8_t j[4];
	struct weft_contact *slot = &n->contacts[0];
	n->cb.random(n->cb.ctx, j, sizeof j);
	weft_tx_raw(n, sock, to, j, sizeof j, 2);
	for (unsigned i = 0; i < WEFT_LIMIT_CONTACTS; i++) {
		struct weft_contact *c = &n->contacts[i];
		if (!c->address || (c->address == peer && weft_inetaddr_equal(&c->to, to))) {
			slot = c;
			break;
		}
		if (c->due_ms < slot->due_ms)
			slot = c; // full: replace the longest overdue
	}
	*slot = (struct weft_contact){peer, now_ms + WEFT_T_CONTACT_DELAY, now_ms, sock, *to};
	if (!n->contacts_due_ms || slot->due_ms < n->contacts_due_ms)
		n->contacts_due_ms = slot->due_ms;
}

int64_t weft_rx_run_contacts(struct weft_node *n, int64_t now_ms)
{
	int64_t next = INT64_MAX;
	if (!n->contacts_due_ms || now_ms < n->contacts_due_ms)
		return n->contacts_due_ms ? n->contacts_due_ms : INT64_MAX;
	for (unsigned i = 0; i < WEFT_LIMIT_CONTACTS; i++) {
		struct weft_contact *c = &n->contacts[i];
		if (!c->address)
			continue;
		if (c->due_ms > now_ms) {
			if (c->due_ms < next)
				next = c->due_ms;
			continue;
		}
		struct weft_peer *p = weft_peer_find(n, c->address);
		if (!p && now_ms - c->created_ms < WEFT_T_QUEUE_TIMEOUT) {
			c->due_ms = now_ms + WEFT_T_CONTACT_DELAY; // still resolving its identity
			if (c->due_ms < next)
				next = c->due_ms;
			continue;
		}
		c->address = 0;
		if (p)
			contact(n, now_ms, p, c->local_socket, &c->to);
	}
	n->contacts_due_ms = next == INT64_MAX ? 0 : next;
	return next;
}

static void rx_rendezvous(const struct rx *r)
{
	struct weft_rbuf b;
	struct weft_inetaddr to = {0};
	if (!weft_topology_is_upstream(r->n, r->p->id.address)) {
		weft_count(r->n, WEFT_CTR_DROP_UNTRUSTED);
		return;
	}
	rbuf_init(&b, r->pkt + WEFT_WIRE_IDX_PAYLOAD, r->len - WEFT_WIRE_IDX_PAYLOAD);
	rbuf_u8(&b); // flags
	uint64_t with = rbuf_u40(&b);
	uint16_t port = rbuf_u16(&b);
	uint8_t iplen = rbuf_u8(&b);
	if (iplen == 4 || iplen == 16)
		rbuf_copy(&b, to.ip, iplen);
	if (b.bad || port == 0 || (iplen != 4 && iplen != 16)) {
		weft_count(r->n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	learn_if_direct(r, WEFT_VERB_RENDEZVOUS);
	to.family = iplen == 4 ? WEFT_INET_V4 : WEFT_INET_V6;
	to.port = port;
	if (with == r->n->self.address || weft_address_is_reserved(with) ||
	    !weft_node_path_allowed(r->n, with, r->sock, &to))
		return;
	// A peer our root introduces may not be known yet (its first packet is still waiting on
	// WHOIS): resolve it while the NAT opens; the contact waits for the identity.
	if (!weft_peer_find(r->n, with))
		weft_tx_whois(r->n, r->now_ms, with);
	punch(r->n, r->now_ms, with, r->sock, &to);
}

static void rx_echo(const struct rx *r)
{
	struct weft_path *path = weft_peer_path_find(r->p, r->sock, r->from);
	if (path) {
		if (r->now_ms - path->last_echo_in_ms < WEFT_T_ECHO_RATE_LIMIT) {
			weft_count(r->n, WEFT_CTR_DROP_ECHO_RATE);
			return;
		}
		path->last_echo_in_ms = r->now_ms;
	}
	learn_if_direct(r, WEFT_VERB_ECHO);
	size_t plen = r->len - WEFT_WIRE_IDX_PAYLOAD;
	size_t len = weft_rx_reply_begin(r->n, r->p, WEFT_VERB_ECHO, r->pkt);
	if (len + plen > WEFT_PACKET_MAX_LEN)
		return;
	memcpy(r->n->tx_buf + len, r->pkt + WEFT_WIRE_IDX_PAYLOAD, plen);
	weft_tx_on_path(r->n, r->now_ms, r->p, r->sock, r->from, len + plen);
}

// vl1.md §5.17 and §6.8: a gated list of addresses where the peer says it can be reached.
static void rx_push_direct_paths(const struct rx *r)
{
	struct weft_peer *p = r->p;
	struct weft_rbuf b;
	unsigned per_slot[8][2] = {{0}};
	if (r->now_ms - p->last_push_in_ms <= WEFT_T_PUSH_CUTOFF)
		p->push_in_count++;
	else
		p->push_in_count = 0;
	p->last_push_in_ms = r->now_ms;
	if (p->push_in_count >= WEFT_PUSH_LIMIT) {
		weft_count(r->n, WEFT_CTR_DROP_PUSH_RATE);
		return;
	}
	learn_if_direct(r, WEFT_VERB_PUSH_DIRECT_PATHS);
	rbuf_init(&b, r->pkt + WEFT_WIRE_IDX_PAYLOAD, r->len - WEFT_WIRE_IDX_PAYLOAD);
	unsigned count = rbuf_u16(&b);
	for (unsigned i = 0; i < count && !b.bad; i++) {
		struct weft_inetaddr a = {0};
		uint8_t flags = rbuf_u8(&b);
		rbuf_take(&b, rbuf_u16(&b)); // extensions
		uint8_t type = rbuf_u8(&b);
		uint8_t alen = rbuf_u8(&b);
		const uint8_t *v = rbuf_take(&b, alen);
		if (!v || (flags & 0x01) ||
		    !((type == 4 && alen == 6) || (type == 6 && alen == 18)))
			continue;
		a.family = type;
		memcpy(a.ip, v, alen - 2u);
		a.port = load_be16(v + alen - 2);
		struct weft_path *known = weft_peer_path_find(p, -1, &a);
		if (known && weft_path_alive(known, r->now_ms))
			continue;
		if (!weft_node_path_allowed(r->n, p->id.address, -1, &a))
			continue;
		unsigned *slot = &per_slot[weft_inetaddr_scope(&a)][type == 6];
		if ((*slot)++ >= WEFT_PUSH_LIMIT)
			continue;
		contact(r->n, r->now_ms, p, -1, &a);
	}
}

static void rx_user_message(const struct rx *r)
{
	size_t plen = r->len - WEFT_WIRE_IDX_PAYLOAD;
	learn_if_direct(r, WEFT_VERB_USER_MESSAGE);
	r->p->last_active_ms = r->now_ms;
	if (plen < 8)
		return;
	struct weft_user_message m = {.source = r->p->id.address,
	                              .type_id = load_be64(r->pkt + WEFT_WIRE_IDX_PAYLOAD),
	                              .data = r->pkt + WEFT_WIRE_IDX_PAYLOAD + 8,
	                              .len = plen - 8};
	r->n->cb.event(r->n->cb.ctx, WEFT_EVENT_USER_MESSAGE, &m);
}

void weft_rx_verb(struct weft_node *n, int64_t now_ms, struct weft_peer *p, int64_t local_socket,
                  const struct weft_inetaddr *from, uint8_t *pkt, size_t len)
{
	struct rx r = {n, now_ms, p, local_socket, from, pkt, len, weft_packet_hops(pkt)};
	switch (pkt[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_MASK) {
	case WEFT_VERB_NOP: learn_if_direct(&r, WEFT_VERB_NOP); break;
	case WEFT_VERB_HELLO:
		weft_rx_hello_known(n, now_ms, p, local_socket, from, pkt, len);
		break;
	case WEFT_VERB_OK: rx_ok(&r); break;
	case WEFT_VERB_ERROR: rx_error(&r); break;
	case WEFT_VERB_WHOIS: rx_whois(&r); break;
	case WEFT_VERB_RENDEZVOUS: rx_rendezvous(&r); break;
	case WEFT_VERB_ECHO: rx_echo(&r); break;
	case WEFT_VERB_PUSH_DIRECT_PATHS: rx_push_direct_paths(&r); break;
	case WEFT_VERB_USER_MESSAGE: rx_user_message(&r); break;
	case WEFT_VERB_FRAME:
		learn_if_direct(&r, WEFT_VERB_FRAME);
		weft_rx_frame(n, now_ms, p, pkt, len);
		break;
	case WEFT_VERB_EXT_FRAME:
		learn_if_direct(&r, WEFT_VERB_EXT_FRAME);
		weft_rx_ext_frame(n, now_ms, p, pkt, len);
		break;
	case WEFT_VERB_NETWORK_CREDENTIALS:
		learn_if_direct(&r, WEFT_VERB_NETWORK_CREDENTIALS);
		weft_rx_network_credentials(n, now_ms, p, pkt + WEFT_WIRE_IDX_PAYLOAD,
		                            len - WEFT_WIRE_IDX_PAYLOAD);
		weft_frame_retry(n, now_ms); // frames that waited for these credentials
		break;
	case WEFT_VERB_MULTICAST_FRAME:
		learn_if_direct(&r, WEFT_VERB_MULTICAST_FRAME);
		weft_rx_multicast_frame(n, now_ms, p, pkt, len);
		break;
	case WEFT_VERB_MULTICAST_LIKE:
		learn_if_direct(&r, WEFT_VERB_MULTICAST_LIKE);
		weft_rx_multicast_like(n, now_ms, p, pkt + WEFT_WIRE_IDX_PAYLOAD,
		                       len - WEFT_WIRE_IDX_PAYLOAD);
		break;
	case WEFT_VERB_MULTICAST_GATHER:
		learn_if_direct(&r, WEFT_VERB_MULTICAST_GATHER);
		weft_rx_multicast_gather(n, now_ms, p, pkt, len);
		break;
	case WEFT_VERB_NETWORK_CONFIG_REQUEST:
		learn_if_direct(&r, WEFT_VERB_NETWORK_CONFIG_REQUEST);
		weft_rx_config_request(n, now_ms, p, r.hops == 0 ? from : NULL, pkt, len);
		break;
	case WEFT_VERB_NETWORK_CONFIG: // a pushed update; chunks carry their own signatures
		learn_if_direct(&r, WEFT_VERB_NETWORK_CONFIG);
		weft_rx_config_chunk(n, now_ms, p, pkt + WEFT_WIRE_IDX_PAYLOAD,
		                     len - WEFT_WIRE_IDX_PAYLOAD);
		break;
	default: // VL2 verbs arrive with the VL2 layer; unknown verbs are no-ops
		weft_count(n, WEFT_CTR_UNKNOWN_VERB);
		learn_if_direct(&r, WEFT_VERB_NOP);
		break;
	}
}
