// SPDX-License-Identifier: MPL-2.0
// The member side of VL2 (vl2.md §4-8): joined networks, their configurations, what each peer
// has shown us (membership records), frames to and from the local port, and multicast.
// Split by job: network.c (join, leave, config life cycle, timers), membership.c
// (credentials in and out, the gate, revocations), frame.c (unicast switching and the rules
// pipelines), mcast_member.c (subscriptions, LIKE, GATHER, MULTICAST_FRAME).
#ifndef WEFT_NETWORK_H
#define WEFT_NETWORK_H

#include "credential.h"
#include "limits.h"
#include "multicast.h"
#include "netconf.h"
#include "rules_eval.h"

struct weft_node;
struct weft_peer;

// What one peer has shown us on one network (vl2.md §5.9). Never persisted.
struct weft_membership {
	struct weft_membership *next; // hash chain
	uint64_t address;
	bool has_com;
	struct weft_com com;
	int64_t com_revoked; // COM revocation threshold: COMs at or before it are refused
	unsigned n_tags;
	struct weft_tag tags[WEFT_LIMIT_MEMBER_TAGS]; // by ID, one each
	unsigned n_caps;
	struct weft_cap *caps[WEFT_LIMIT_MEMBER_CAPS]; // heap, by ID, one each
	unsigned n_coos;
	struct weft_coo coos[WEFT_LIMIT_MEMBER_COOS];
	unsigned n_revs;
	struct {
		uint8_t type; // enum weft_credential_type
		uint32_t id;
		int64_t threshold;
	} revs[WEFT_LIMIT_MEMBER_REVOCATIONS];
	int64_t pushed_ms;   // our credentials last pushed to this peer (§5.8)
	int64_t creds_in_ms; // its last NETWORK_CREDENTIALS processed (1 per second)
	int64_t liked_ms;    // our subscriptions last announced to it (§8.2)
};

// A multicast frame waiting for more subscribers to be learned (§8.5).
struct weft_mc_pending {
	int64_t created_ms; // 0 = free
	struct weft_vl2_mcgroup group;
	uint64_t src_mac; // explicit source (bridged), 0 = ours
	uint16_t ethertype;
	unsigned limit, sent;
	uint64_t sent_to[WEFT_LIMIT_MC_PENDING_RECIPIENTS];
	uint16_t len;
	uint8_t data[WEFT_LIMIT_MC_PENDING_BYTES];
};

struct weft_network {
	uint64_t nwid;
	uint64_t mac;
	enum weft_network_status status;
	struct weft_netconf *nc; // heap; NULL until a config was applied
	int64_t config_ms;       // when the current config was applied, 0 = never
	int64_t request_ms;      // last NETWORK_CONFIG_REQUEST sent
	// Our own port's subscriptions, sorted, no duplicates (§8.2).
	unsigned n_subs;
	struct weft_vl2_mcgroup subs[WEFT_LIMIT_NETWORK_SUBS];
	int64_t announce_ms;  // last full LIKE to the controller and upstreams
	int64_t mc_expire_ms; // last subscriber expiry pass (mcast_member.c, every 30 s)
	// Groups seen leaving our port from bridged MACs (§7.5): announced as ours, never expired.
	unsigned n_behind;
	struct weft_vl2_mcgroup behind[WEFT_LIMIT_NETWORK_SUBS];
	// MACs learned behind active bridges (§7.6): a direct-mapped cache, latest wins.
	struct {
		uint64_t mac, bridge; // bridge 0 = empty
	} bridge_routes[WEFT_LIMIT_BRIDGE_ROUTES];
	// Membership records by peer address.
	struct weft_membership *members[WEFT_LIMIT_MEMBERSHIP_BUCKETS];
	size_t n_members;
	struct weft_mc mc; // who subscribes to which group here
	struct weft_mc_pending pending[WEFT_LIMIT_MC_PENDING];
	int64_t gather_ms[WEFT_LIMIT_MC_PENDING]; // last explicit GATHER, per pending slot's group
};

// ---- network.c ------------------------------------------------------------------------------
struct weft_network *weft_network_find(const struct weft_node *n, uint64_t nwid);
// A configuration dictionary arrived for nwid (config.c): decoded, checked and applied if
// it is for a network we joined and issued to us.
void weft_network_config_in(struct weft_node *n, int64_t now_ms, uint64_t nwid, const uint8_t *dict,
                            size_t len);
// The controller refused (vl2.md §4.7): code is the ERROR code.
void weft_network_config_error(struct weft_node *n, uint64_t nwid, unsigned code);
// Timers of every joined network: config refresh, LIKE announcements, queue expiry.
void weft_network_timers(struct weft_node *n, int64_t now_ms);
void weft_network_free_all(struct weft_node *n);
// True if the config lists `address` as an active bridge.
bool weft_network_is_bridge(const struct weft_network *net, uint64_t address);

// ---- membership.c ---------------------------------------------------------------------------
// The record for `address`, created if `create` (NULL when full or absent).
struct weft_membership *weft_membership_get(struct weft_network *net, uint64_t address,
                                            bool create);
void weft_membership_free_all(struct weft_network *net);
// NETWORK_CREDENTIALS from p (vl2.md §5.7, §5.9, §5.11).
void weft_rx_network_credentials(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                                 const uint8_t *payload, size_t len);
// The gate (§5.10): may frames from `address` be accepted on net?
bool weft_membership_gate(const struct weft_node *n, const struct weft_network *net,
                          uint64_t address);
// Pushes our COM, capabilities, tags and COOs to `address` if due (§5.8): when the last push
// is older than the config or than `max_age_ms`.
void weft_membership_push(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                          uint64_t address, int64_t max_age_ms);
// ERROR(NEED_MEMBERSHIP_CERTIFICATE) from p for nwid.
void weft_membership_need_certificate(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                                      uint64_t nwid);
// The peer's tags and capabilities valid now (§5.9), for the inbound rules pipeline.
size_t weft_membership_tags(const struct weft_network *net, const struct weft_membership *m,
                            struct weft_rules_tag *out, size_t cap);
size_t weft_membership_caps(const struct weft_network *net, const struct weft_membership *m,
                            struct weft_rules_list *out, size_t cap);
// Does one of the peer's valid (§5.9) COOs own this IP (4 or 16 bytes) / MAC? (§6.5; the
// NDP-emulation prefix shortcut for IPv6 sources is the caller's.) m may be NULL: false.
bool weft_membership_owns_ip(const struct weft_network *net, const struct weft_membership *m,
                             const uint8_t *ip, size_t ip_len);
bool weft_membership_owns_mac(const struct weft_network *net, const struct weft_membership *m,
                              const uint8_t mac[6]);

// ---- frame.c --------------------------------------------------------------------------------
// FRAME (0x06) and EXT_FRAME (0x07) from p.
void weft_rx_frame(struct weft_node *n, int64_t now_ms, struct weft_peer *p, const uint8_t *pkt,
                   size_t len);
void weft_rx_ext_frame(struct weft_node *n, int64_t now_ms, struct weft_peer *p, const uint8_t *pkt,
                       size_t len);
// The outbound pipeline (§6.7) for a frame leaving us toward zt_dest (0: unknown/multicast):
// true if it may be sent. Sends TEE/WATCH copies unless no_tee; a REDIRECT sends the frame
// to its target and returns false.
bool weft_frame_filter_out(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                           const struct weft_frame *f, uint64_t zt_dest, bool no_tee);
// The inbound pipeline (§6.8) for a frame from `from`: 0 drop, 1 accept, 2 super-accept.
int weft_frame_filter_in(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                         uint64_t from, const struct weft_frame *f);
// A frame from p failed the gate: ERROR(NEED_MEMBERSHIP_CERTIFICATE) back, and the packet waits
// for p's credentials (retried by weft_frame_retry for 5 s).
void weft_frame_gate_failed(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                            const uint8_t *pkt, size_t len, uint64_t nwid);
void weft_frame_retry(struct weft_node *n, int64_t now_ms);
// Bridge routes (§7.6): `mac` was seen coming from active bridge `bridge`; where a MAC is.
void weft_bridge_learn(struct weft_network *net, uint64_t mac, uint64_t bridge);
uint64_t weft_bridge_route(const struct weft_network *net, uint64_t mac);
// Hands a frame to the host's port.
void weft_frame_deliver(struct weft_node *n, const struct weft_frame *f);

// ---- mcast_member.c -------------------------------------------------------------------------
// Sends a multicast or broadcast from the local port (§8.5); the frame passed the first
// outbound filter already.
void weft_mcast_send(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                     const struct weft_vl2_mcgroup *g, const struct weft_frame *f);
// MULTICAST_FRAME (0x0e) from p, and the OKs to our GATHER and MULTICAST_FRAME.
void weft_rx_multicast_frame(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                             const uint8_t *pkt, size_t len);
void weft_rx_ok_multicast_gather(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                                 const uint8_t *payload, size_t len);
void weft_rx_ok_multicast_frame(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                                const uint8_t *payload, size_t len);
// Member-side LIKE from p (the directory side is rx_multicast.c): stored if p passes the gate.
bool weft_mcast_member_like(struct weft_node *n, int64_t now_ms, struct weft_peer *p, uint64_t nwid,
                            const struct weft_vl2_mcgroup *g);
// Member-side GATHER from p (the directory side is rx_multicast.c): answered from what this
// member knows (itself first if subscribed) if p passes the gate. False if not answered.
bool weft_mcast_member_gather(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                              const uint8_t *pkt, size_t len);
// Announces our subscriptions: to everyone due (every 60 s), or only `g` to everyone now.
void weft_mcast_announce(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                         const struct weft_vl2_mcgroup *g);
// Once per 60 s per peer after it passes the gate (§5.10, §8.2).
void weft_mcast_announce_to(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                            struct weft_membership *m);
void weft_mcast_expire(struct weft_node *n, int64_t now_ms, struct weft_network *net);

#endif
