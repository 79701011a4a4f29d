// SPDX-License-Identifier: MPL-2.0
// What each peer has shown us on one network (vl2.md §5.7-5.11): the per-peer records, the
// NETWORK_CREDENTIALS receiver and its acceptance rules, revocations and their flooding, the
// membership gate, our own credential pushes, and which of a peer's credentials are valid now.
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "wire.h"

#define CREDENTIALS_RATE_MS  1000 // one NETWORK_CREDENTIALS per peer and network per second
#define REQUESTED_MAX_AGE_MS 1000 // push again on ERROR(NEED_MEMBERSHIP_CERTIFICATE) (§5.8)
// A push payload fits one packet; bigger credential sets are split (§5.7).
#define PUSH_BUDGET (WEFT_PACKET_MAX_LEN - WEFT_WIRE_IDX_PAYLOAD)

enum added {
	ADD_REJECTED,
	ADD_NEW,
	ADD_REDUNDANT,
	ADD_DEFERRED, // the signer is unknown: WHOIS it, stop the packet
};

// ---- records ----------------------------------------------------------------------------------

static unsigned bucket_of(uint64_t address)
{
	uint64_t h = address * 0x9e3779b97f4a7c15ULL;
	return (unsigned)((h >> 40) % WEFT_LIMIT_MEMBERSHIP_BUCKETS);
}

static struct weft_membership *find(const struct weft_network *net, uint64_t address)
{
	struct weft_membership *m = net->members[bucket_of(address)];
	while (m && m->address != address)
		m = m->next;
	return m;
}

struct weft_membership *weft_membership_get(struct weft_network *net, uint64_t address, bool create)
{
	struct weft_membership *m = find(net, address);
	if (m || !create || net->n_members >= WEFT_LIMIT_MEMBERSHIPS)
		return m;
	if (!(m = calloc(1, sizeof *m)))
		return NULL;
	unsigned b = bucket_of(address);
	m->address = address;
	m->next = net->members[b];
	net->members[b] = m;
	net->n_members++;
	return m;
}

void weft_membership_free_all(struct weft_network *net)
{
	for (unsigned b = 0; b < WEFT_LIMIT_MEMBERSHIP_BUCKETS; b++) {
		struct weft_membership *m = net->members[b], *next;
		for (; m; m = next) {
			next = m->next;
			for (unsigned i = 0; i < m->n_caps; i++)
				free(m->caps[i]);
			free(m);
		}
		net->members[b] = NULL;
	}
	net->n_members = 0;
}

// ---- validity (§5.9) --------------------------------------------------------------------------

// The revocation threshold held for (type, id), or NULL.
static const int64_t *threshold_of(const struct weft_membership *m, uint8_t type, uint32_t id)
{
	for (unsigned i = 0; i < m->n_revs; i++)
		if (m->revs[i].type == type && m->revs[i].id == id)
			return &m->revs[i].threshold;
	return NULL;
}

// |ts - my config's ts| <= ctmd, and not revoked.
static bool is_valid(const struct weft_netconf *nc, const struct weft_membership *m, uint8_t type,
                     uint32_t id, int64_t ts)
{
	uint64_t a = (uint64_t)ts, b = (uint64_t)nc->timestamp_ms;
	uint64_t delta = ts >= nc->timestamp_ms ? a - b : b - a;
	if (nc->credential_time_max_delta_ms < 0 ||
	    delta > (uint64_t)nc->credential_time_max_delta_ms)
		return false;
	const int64_t *t = threshold_of(m, type, id);
	return !t || ts > *t;
}

size_t weft_membership_tags(const struct weft_network *net, const struct weft_membership *m,
                            struct weft_rules_tag *out, size_t cap)
{
	size_t k = 0;
	if (!net->nc)
		return 0;
	for (unsigned i = 0; i < m->n_tags && k < cap; i++) {
		const struct weft_tag *t = &m->tags[i];
		if (is_valid(net->nc, m, WEFT_CREDENTIAL_TAG, t->id, t->timestamp))
			out[k++] = (struct weft_rules_tag){t->id, t->value};
	}
	return k;
}

size_t weft_membership_caps(const struct weft_network *net, const struct weft_membership *m,
                            struct weft_rules_list *out, size_t cap)
{
	size_t k = 0;
	if (!net->nc)
		return 0;
	for (unsigned i = 0; i < m->n_caps && k < cap; i++) {
		const struct weft_cap *c = m->caps[i];
		if (is_valid(net->nc, m, WEFT_CREDENTIAL_CAPABILITY, c->id, c->timestamp))
			out[k++] = (struct weft_rules_list){c->rules, c->n_rules};
	}
	return k;
}

bool weft_membership_owns_ip(const struct weft_network *net, const struct weft_membership *m,
                             const uint8_t *ip, size_t ip_len)
{
	struct weft_inetaddr a = {0};
	if (!net->nc || !m || (ip_len != 4 && ip_len != 16))
		return false;
	a.family = ip_len == 4 ? WEFT_INET_V4 : WEFT_INET_V6;
	memcpy(a.ip, ip, ip_len);
	for (unsigned i = 0; i < m->n_coos; i++) {
		const struct weft_coo *c = &m->coos[i];
		if (is_valid(net->nc, m, WEFT_CREDENTIAL_COO, c->id, c->timestamp) &&
		    weft_coo_owns_ip(c, &a))
			return true;
	}
	return false;
}

bool weft_membership_owns_mac(const struct weft_network *net, const struct weft_membership *m,
                              const uint8_t mac[6])
{
	if (!net->nc || !m)
		return false;
	for (unsigned i = 0; i < m->n_coos; i++) {
		const struct weft_coo *c = &m->coos[i];
		if (is_valid(net->nc, m, WEFT_CREDENTIAL_COO, c->id, c->timestamp) &&
		    weft_coo_owns_mac(c, mac))
			return true;
	}
	return false;
}

// ---- the gate (§5.10) -------------------------------------------------------------------------

bool weft_membership_gate(const struct weft_node *n, const struct weft_network *net,
                          uint64_t address)
{
	const struct weft_netconf *nc = net->nc;
	if (!nc)
		return false;
	if (nc->type == WEFT_NETCONF_PUBLIC)
		return true;
	const struct weft_membership *m = find(net, address);
	if (!nc->has_com || !m || !m->has_com ||
	    (int64_t)weft_com_value(&m->com, WEFT_COM_Q_TIMESTAMP) <= m->com_revoked)
		return false;
	// Without the peer's identity a COM carrying the identity hash cannot agree.
	const struct weft_peer *p = weft_peer_find(n, address);
	return weft_com_agrees_hashed(&nc->com, &m->com, p && p->com_hash_ok ? p->com_hash : NULL);
}

// ---- receiving (§5.7, §5.9) -------------------------------------------------------------------

struct rx {
	struct weft_node *n;
	int64_t now_ms;
	struct weft_peer *from;
	uint64_t missing; // the signer the last lookup did not know
	// Networks this packet touched, and whether the sender was within its rate limit there.
	unsigned n_nets;
	struct {
		uint64_t nwid;
		bool admitted;
	} nets[WEFT_LIMIT_NETWORKS];
};

// Signers are the networks' controllers: ourselves or a peer we know.
static const struct weft_identity *lookup(void *ctx, uint64_t address)
{
	struct rx *c = ctx;
	if (address == c->n->self.address)
		return &c->n->self;
	const struct weft_peer *p = weft_peer_find(c->n, address);
	if (p)
		return &p->id;
	c->missing = address;
	return NULL;
}

// The network a credential of nwid goes to: joined, configured, and the sender not over its
// rate limit there. The limit is kept per (network, sender) in the sender's record, judged at
// the first credential of each network in the packet.
static struct weft_network *network_for(struct rx *c, uint64_t nwid)
{
	struct weft_network *net = weft_network_find(c->n, nwid);
	if (!net || !net->nc)
		return NULL;
	for (unsigned i = 0; i < c->n_nets; i++)
		if (c->nets[i].nwid == nwid)
			return c->nets[i].admitted ? net : NULL;
	struct weft_membership *m = weft_membership_get(net, c->from->id.address, true);
	bool admitted = m && !(m->creds_in_ms && c->now_ms - m->creds_in_ms < CREDENTIALS_RATE_MS);
	if (admitted)
		m->creds_in_ms = c->now_ms ? c->now_ms : 1;
	else if (m)
		weft_count(c->n, WEFT_CTR_DROP_CREDENTIALS_RATE);
	if (c->n_nets < WEFT_LIMIT_NETWORKS) {
		c->nets[c->n_nets].nwid = nwid;
		c->nets[c->n_nets++].admitted = admitted;
	}
	return admitted ? net : NULL;
}

static enum added verified(enum weft_verify v)
{
	return v == WEFT_VERIFY_OK               ? ADD_NEW
	       : v == WEFT_VERIFY_SIGNER_UNKNOWN ? ADD_DEFERRED
	                                         : ADD_REJECTED;
}

static bool com_equal(const struct weft_com *a, const struct weft_com *b)
{
	return a->n_q == b->n_q && !memcmp(a->q, b->q, a->n_q * sizeof a->q[0]) &&
	       a->signed_by == b->signed_by &&
	       !memcmp(a->signature, b->signature, sizeof a->signature);
}

static enum added add_com(struct rx *c, struct weft_membership *m, const struct weft_com *com)
{
	int64_t ts = (int64_t)weft_com_value(com, WEFT_COM_Q_TIMESTAMP);
	if (ts <= m->com_revoked)
		return ADD_REJECTED;
	if (m->has_com && ts < (int64_t)weft_com_value(&m->com, WEFT_COM_Q_TIMESTAMP))
		return ADD_REJECTED;
	if (m->has_com && com_equal(&m->com, com))
		return ADD_REDUNDANT;
	enum added r = verified(weft_com_verify(com, lookup, c));
	if (r == ADD_NEW) {
		m->com = *com;
		m->has_com = true;
	}
	return r;
}

// One tag, capability or COO as it arrived: its decoded form and its bytes on the wire (decoders
// are strict, so two credentials are identical iff their encodings are).
struct cred {
	uint8_t type;
	uint32_t id;
	int64_t ts;
	const void *decoded;
	const uint8_t *raw;
	size_t raw_len;
};

static unsigned count_of(const struct weft_membership *m, uint8_t type)
{
	return type == WEFT_CREDENTIAL_TAG   ? m->n_tags
	       : type == WEFT_CREDENTIAL_COO ? m->n_coos
	                                     : m->n_caps;
}

static void stored(const struct weft_membership *m, uint8_t type, unsigned i, uint32_t *id,
                   int64_t *ts)
{
	if (type == WEFT_CREDENTIAL_TAG)
		*id = m->tags[i].id, *ts = m->tags[i].timestamp;
	else if (type == WEFT_CREDENTIAL_COO)
		*id = m->coos[i].id, *ts = m->coos[i].timestamp;
	else
		*id = m->caps[i]->id, *ts = m->caps[i]->timestamp;
}

static bool same_as_stored(const struct weft_membership *m, const struct cred *cr, unsigned i)
{
	uint8_t buf[WEFT_CAP_MAX_LEN]; // the largest of the three
	struct weft_wbuf w;
	wbuf_init(&w, buf, sizeof buf);
	if (cr->type == WEFT_CREDENTIAL_TAG)
		weft_tag_encode(&m->tags[i], &w);
	else if (cr->type == WEFT_CREDENTIAL_COO)
		weft_coo_encode(&m->coos[i], &w);
	else
		weft_cap_encode(m->caps[i], &w);
	return !w.bad && w.len == cr->raw_len && !memcmp(buf, cr->raw, w.len);
}

static enum weft_verify verify(const struct cred *cr, struct rx *c)
{
	if (cr->type == WEFT_CREDENTIAL_TAG)
		return weft_tag_verify(cr->decoded, lookup, c);
	if (cr->type == WEFT_CREDENTIAL_COO)
		return weft_coo_verify(cr->decoded, lookup, c);
	return weft_cap_verify(cr->decoded, lookup, c);
}

// A slot for a credential ID not held yet: a free one, else one no longer valid (§5.9); -1 if
// every slot holds a valid credential (the new one is then refused).
static int free_slot(const struct weft_network *net, struct weft_membership *m, uint8_t type)
{
	unsigned cap = type == WEFT_CREDENTIAL_TAG   ? WEFT_LIMIT_MEMBER_TAGS
	               : type == WEFT_CREDENTIAL_COO ? WEFT_LIMIT_MEMBER_COOS
	                                             : WEFT_LIMIT_MEMBER_CAPS;
	unsigned n = count_of(m, type);
	if (n < cap) {
		if (type == WEFT_CREDENTIAL_CAPABILITY &&
		    !(m->caps[n] = malloc(sizeof *m->caps[n])))
			return -1;
		if (type == WEFT_CREDENTIAL_TAG)
			m->n_tags++;
		else if (type == WEFT_CREDENTIAL_COO)
			m->n_coos++;
		else
			m->n_caps++;
		return (int)n;
	}
	for (unsigned i = 0; i < n; i++) {
		uint32_t id;
		int64_t ts;
		stored(m, type, i, &id, &ts);
		if (!is_valid(net->nc, m, type, id, ts))
			return (int)i;
	}
	return -1;
}

// Tag, capability and COO: the §5.9 checks in order, then stored under its ID.
static enum added add_cred(struct rx *c, const struct weft_network *net, struct weft_membership *m,
                           const struct cred *cr)
{
	int slot = -1;
	for (unsigned i = 0; i < count_of(m, cr->type); i++) {
		uint32_t id;
		int64_t ts;
		stored(m, cr->type, i, &id, &ts);
		if (id != cr->id)
			continue;
		if (ts > cr->ts)
			return ADD_REJECTED;
		if (same_as_stored(m, cr, i))
			return ADD_REDUNDANT;
		slot = (int)i;
		break;
	}
	const int64_t *t = threshold_of(m, cr->type, cr->id);
	if (t && *t >= cr->ts)
		return ADD_REJECTED;
	enum added r = verified(verify(cr, c));
	if (r != ADD_NEW)
		return r;
	if (slot < 0 && (slot = free_slot(net, m, cr->type)) < 0)
		return ADD_REJECTED;
	if (cr->type == WEFT_CREDENTIAL_TAG)
		m->tags[slot] = *(const struct weft_tag *)cr->decoded;
	else if (cr->type == WEFT_CREDENTIAL_COO)
		m->coos[slot] = *(const struct weft_coo *)cr->decoded;
	else
		*m->caps[slot] = *(const struct weft_cap *)cr->decoded;
	return ADD_NEW;
}

static enum added add_revocation(struct rx *c, struct weft_membership *m,
                                 const struct weft_revocation *rev)
{
	enum added r = verified(weft_revocation_verify(rev, lookup, c));
	if (r != ADD_NEW)
		return r;
	switch (rev->type) {
	case WEFT_CREDENTIAL_COM:
		if (rev->threshold <= m->com_revoked)
			return ADD_REDUNDANT;
		m->com_revoked = rev->threshold;
		return ADD_NEW;
	case WEFT_CREDENTIAL_CAPABILITY:
	case WEFT_CREDENTIAL_TAG:
	case WEFT_CREDENTIAL_COO: break;
	default: return ADD_REJECTED;
	}
	unsigned i = 0;
	while (i < m->n_revs &&
	       (m->revs[i].type != rev->type || m->revs[i].id != rev->credential_id))
		i++;
	if (i == m->n_revs) {
		if (m->n_revs == WEFT_LIMIT_MEMBER_REVOCATIONS)
			return ADD_REJECTED; // never reached with a 1.14 controller (COM only)
		m->revs[m->n_revs++].threshold = 0;
		m->revs[i].type = rev->type;
		m->revs[i].id = rev->credential_id;
	}
	if (rev->threshold <= m->revs[i].threshold)
		return ADD_REDUNDANT;
	m->revs[i].threshold = rev->threshold;
	m->com_revoked = rev->threshold; // as the reference does (§12 item 3), even downwards
	return ADD_NEW;
}

// §5.11: a new fast-propagate revocation goes on to every peer we hold a record of here,
// except where it came from and its signer.
static void flood(struct rx *c, const struct weft_network *net, const struct weft_revocation *rev)
{
	uint8_t buf[1 + 2 + 2 + 2 + WEFT_REVOCATION_LEN + 2];
	struct weft_wbuf w;
	wbuf_init(&w, buf, sizeof buf);
	wbuf_u8(&w, 0);  // no COM
	wbuf_u16(&w, 0); // capabilities
	wbuf_u16(&w, 0); // tags
	wbuf_u16(&w, 1); // revocations
	weft_revocation_encode(rev, &w);
	wbuf_u16(&w, 0); // COOs
	if (w.bad)
		return;
	for (unsigned b = 0; b < WEFT_LIMIT_MEMBERSHIP_BUCKETS; b++)
		for (const struct weft_membership *m = net->members[b]; m; m = m->next)
			if (m->address != c->from->id.address && m->address != rev->signed_by &&
			    m->address != c->n->self.address)
				weft_tx_send(c->n, c->now_ms, m->address,
				             WEFT_VERB_NETWORK_CREDENTIALS, buf, w.len, true, true);
}

// One credential of a section: decoded, filed under its holder on its network. False when the
// packet must stop (malformed, or a signer to WHOIS first).
static bool rx_one(struct rx *c, struct weft_rbuf *r, uint8_t type)
{
	union {
		struct weft_com com;
		struct weft_tag tag;
		struct weft_cap cap;
		struct weft_coo coo;
		struct weft_revocation rev;
	} u;
	size_t start = r->pos;
	enum weft_result res;
	uint64_t nwid, holder;
	struct cred cr = {.type = type, .decoded = &u};
	switch (type) {
	case WEFT_CREDENTIAL_COM:
		res = weft_com_decode(&u.com, r);
		nwid = weft_com_value(&u.com, WEFT_COM_Q_NETWORK_ID);
		holder = weft_com_value(&u.com, WEFT_COM_Q_ISSUED_TO);
		break;
	case WEFT_CREDENTIAL_TAG:
		res = weft_tag_decode(&u.tag, r);
		nwid = u.tag.nwid, holder = u.tag.issued_to;
		cr.id = u.tag.id, cr.ts = u.tag.timestamp;
		break;
	case WEFT_CREDENTIAL_COO:
		res = weft_coo_decode(&u.coo, r);
		nwid = u.coo.nwid, holder = u.coo.issued_to;
		cr.id = u.coo.id, cr.ts = u.coo.timestamp;
		break;
	case WEFT_CREDENTIAL_CAPABILITY:
		res = weft_cap_decode(&u.cap, r);
		nwid = u.cap.nwid, holder = weft_cap_issued_to(&u.cap);
		cr.id = u.cap.id, cr.ts = u.cap.timestamp;
		break;
	default:
		res = weft_revocation_decode(&u.rev, r);
		nwid = u.rev.nwid, holder = u.rev.target;
		break;
	}
	if (res != WEFT_OK || r->bad) {
		weft_count(c->n, WEFT_CTR_DROP_MALFORMED);
		return false;
	}
	cr.raw = r->p + start;
	cr.raw_len = r->pos - start;
	struct weft_network *net = network_for(c, nwid);
	struct weft_membership *m = net && holder ? weft_membership_get(net, holder, true) : NULL;
	if (!m)
		return true; // not our network, over the rate limit, or no room: ignored
	enum added a = type == WEFT_CREDENTIAL_COM          ? add_com(c, m, &u.com)
	               : type == WEFT_CREDENTIAL_REVOCATION ? add_revocation(c, m, &u.rev)
	                                                    : add_cred(c, net, m, &cr);
	if (a == ADD_DEFERRED) {
		if (c->missing)
			weft_tx_whois(c->n, c->now_ms, c->missing);
		return false;
	}
	if (a == ADD_NEW && type == WEFT_CREDENTIAL_REVOCATION &&
	    (u.rev.flags & WEFT_REVOCATION_FAST_PROPAGATE))
		flood(c, net, &u.rev);
	return true;
}

void weft_rx_network_credentials(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                                 const uint8_t *payload, size_t len)
{
	// Sections after the COM list, in wire order; older senders stop early.
	static const uint8_t sections[] = {WEFT_CREDENTIAL_CAPABILITY, WEFT_CREDENTIAL_TAG,
	                                   WEFT_CREDENTIAL_REVOCATION, WEFT_CREDENTIAL_COO};
	struct rx c = {.n = n, .now_ms = now_ms, .from = p};
	struct weft_rbuf r;
	rbuf_init(&r, payload, len);
	while (rbuf_left(&r) && r.p[r.pos] != 0)
		if (!rx_one(&c, &r, WEFT_CREDENTIAL_COM))
			return;
	rbuf_u8(&r); // the 0x00 ending the COM list, if present
	for (unsigned s = 0; s < sizeof sections && rbuf_left(&r); s++) {
		unsigned count = rbuf_u16(&r);
		if (r.bad) {
			weft_count(n, WEFT_CTR_DROP_MALFORMED);
			return;
		}
		for (unsigned i = 0; i < count; i++)
			if (!rx_one(&c, &r, sections[s]))
				return;
	}
}

// ---- pushing ours (§5.7, §5.8) ----------------------------------------------------------------

// Appends credentials of one type from *next on while they fit with `reserve` bytes to spare,
// behind their 16-bit count.
static void put_section(struct weft_wbuf *w, const struct weft_netconf *nc, uint8_t type,
                        unsigned *next, size_t reserve)
{
	unsigned total = type == WEFT_CREDENTIAL_TAG   ? nc->n_tags
	                 : type == WEFT_CREDENTIAL_COO ? nc->n_coos
	                                               : nc->n_caps;
	size_t at = w->len;
	unsigned count = 0;
	wbuf_u16(w, 0);
	while (!w->bad && *next < total && w->cap - w->len > reserve) {
		struct weft_wbuf one;
		wbuf_init(&one, w->p + w->len, w->cap - w->len - reserve);
		if (type == WEFT_CREDENTIAL_TAG)
			weft_tag_encode(&nc->tags[*next], &one);
		else if (type == WEFT_CREDENTIAL_COO)
			weft_coo_encode(&nc->coos[*next], &one);
		else
			weft_cap_encode(&nc->caps[*next], &one);
		if (one.bad)
			break;
		w->len += one.len;
		count++;
		(*next)++;
	}
	if (!w->bad)
		store_be16(w->p + at, (uint16_t)count);
}

// COM (first packet only), 0x00, capabilities, tags, no revocations, COOs; as many packets as
// it takes. Built in cfg_buf, which no caller of a push holds.
static void send_push(struct weft_node *n, int64_t now_ms, const struct weft_netconf *nc,
                      uint64_t to)
{
	bool com = nc->has_com;
	unsigned caps = 0, tags = 0, coos = 0;
	while (com || caps < nc->n_caps || tags < nc->n_tags || coos < nc->n_coos) {
		unsigned before = caps + tags + coos;
		struct weft_wbuf w;
		wbuf_init(&w, n->cfg_buf, PUSH_BUDGET);
		if (com)
			weft_com_encode(&nc->com, &w);
		wbuf_u8(&w, 0);
		put_section(&w, nc, WEFT_CREDENTIAL_CAPABILITY, &caps, 6);
		put_section(&w, nc, WEFT_CREDENTIAL_TAG, &tags, 4);
		wbuf_u16(&w, 0); // revocations travel only from the controller and in floods
		put_section(&w, nc, WEFT_CREDENTIAL_COO, &coos, 0);
		if (w.bad || (!com && caps + tags + coos == before))
			return; // a credential too big for any packet: the rest cannot go either
		com = false;
		weft_tx_send(n, now_ms, to, WEFT_VERB_NETWORK_CREDENTIALS, n->cfg_buf, w.len, true,
		             true);
	}
}

void weft_membership_push(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                          uint64_t address, int64_t max_age_ms)
{
	if (!net->nc || !address || address == n->self.address)
		return;
	// Without a record (table full) we push every time rather than never.
	struct weft_membership *m = weft_membership_get(net, address, true);
	if (m && m->pushed_ms >= net->config_ms && now_ms - m->pushed_ms <= max_age_ms)
		return;
	send_push(n, now_ms, net->nc, address);
	if (m)
		m->pushed_ms = now_ms;
}

void weft_membership_need_certificate(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                                      uint64_t nwid)
{
	struct weft_network *net = weft_network_find(n, nwid);
	if (net && net->nc && net->nc->has_com)
		weft_membership_push(n, now_ms, net, p->id.address, REQUESTED_MAX_AGE_MS);
}
