// SPDX-License-Identifier: MPL-2.0
// The node's internal state and the functions its modules share. Only core/ includes this;
// the host sees struct weft_node as opaque (include/weft/weft.h).
#ifndef WEFT_NODE_H
#define WEFT_NODE_H

#include "fragment.h"
#include "hello.h"
#include "identity.h"
#include "inetaddr.h"
#include "limits.h"
#include "multicast.h"
#include "network.h"
#include "packet.h"
#include "world.h"

// Counted events; names in node.c. Every dropped packet bumps exactly one DROP_ counter.
enum weft_counter {
	WEFT_CTR_RX_DATAGRAMS,
	WEFT_CTR_RX_PACKETS, // authenticated packets processed
	WEFT_CTR_TX_DATAGRAMS,
	WEFT_CTR_RELAYED,
	WEFT_CTR_RENDEZVOUS_SENT,
	WEFT_CTR_WHOIS_SENT,
	WEFT_CTR_HELLO_SENT,
	WEFT_CTR_ECHO_SENT,
	WEFT_CTR_DROP_SHORT,
	WEFT_CTR_DROP_BEACON,
	WEFT_CTR_DROP_RELAY_REFUSED,
	WEFT_CTR_DROP_RELAY_HOPS,
	WEFT_CTR_DROP_RELAY_NO_ROUTE,
	WEFT_CTR_DROP_FROM_SELF,
	WEFT_CTR_DROP_BAD_ADDRESS,
	WEFT_CTR_DROP_CIPHER,
	WEFT_CTR_DROP_MAC,
	WEFT_CTR_DROP_TRUSTED_PATH, // suite 2 from outside a network trusted with its ID
	WEFT_CTR_DROP_DECOMPRESS,
	WEFT_CTR_DROP_MALFORMED,
	WEFT_CTR_DROP_HELLO_VERSION,
	WEFT_CTR_DROP_HELLO_IDENTITY,
	WEFT_CTR_DROP_HELLO_RATE,
	WEFT_CTR_DROP_IDENTITY_COLLISION,
	WEFT_CTR_DROP_OK_UNEXPECTED,
	WEFT_CTR_DROP_WHOIS_RATE,
	WEFT_CTR_DROP_ECHO_RATE,
	WEFT_CTR_DROP_PUSH_RATE,
	WEFT_CTR_DROP_UNTRUSTED,
	WEFT_CTR_DROP_PEERS_FULL,
	WEFT_CTR_DROP_QUEUE_FULL,
	WEFT_CTR_DROP_QUEUE_EXPIRED,
	WEFT_CTR_DROP_NO_ROUTE,
	WEFT_CTR_DROP_CONFIG_SIGNATURE,
	WEFT_CTR_DROP_MULTICAST_UNAUTHORIZED, // LIKE/GATHER for a network we keep no directory of
	WEFT_CTR_DROP_CREDENTIALS_RATE,       // NETWORK_CREDENTIALS within 1 s of the last
	WEFT_CTR_DROP_GATE,                   // a frame from a peer that fails the membership gate
	WEFT_CTR_UNKNOWN_VERB,
	WEFT_CTR_COUNT
};

struct weft_path {
	int64_t local_socket;
	struct weft_inetaddr addr;
	int64_t last_in_ms;   // any datagram from this address for this peer
	int64_t last_auth_ms; // last authenticated packet ("lr")
	int64_t last_out_ms;
	int64_t last_hello_ms; // confirming/keepalive HELLO sent on this path
	int64_t last_echo_in_ms;
	unsigned latency_ms; // WEFT_LATENCY_UNKNOWN until measured
};

struct weft_peer {
	struct weft_peer *next;  // hash chain
	struct weft_identity id; // public
	uint8_t com_hash[48];    // weft_com_identity_hash(id): checked against COMs per frame
	bool com_hash_ok;
	struct weft_cipher_key key;
	uint8_t proto; // 0 until a HELLO or OK(HELLO) says
	uint8_t vmajor, vminor;
	uint16_t vrevision;
	int64_t created_ms;
	int64_t last_in_ms;     // last authenticated packet, any path
	int64_t last_active_ms; // last traffic beyond keepalives, either direction
	int64_t last_hello_out_ms;
	int64_t last_whois_in_ms;
	int64_t last_push_in_ms;
	int64_t last_confirm_ms; // confirming HELLO to an unknown path
	unsigned push_in_count;
	struct {
		uint64_t nwid; // 0 = free
		int64_t sent_ms;
	} configured[WEFT_LIMIT_PEER_CONFIGURED]; // as controller: configs sent to this peer
	unsigned n_paths;
	struct weft_path paths[WEFT_LIMIT_PEER_PATHS];
};

// A packet waiting for an identity (rx) or for its destination's identity (tx).
struct weft_pending {
	uint64_t address; // whom we wait for; 0 = free slot
	int64_t created_ms;
	int64_t local_socket;
	struct weft_inetaddr from;
	uint8_t verb; // tx: the verb to send
	uint16_t len;
	uint8_t data[WEFT_PACKET_MAX_LEN]; // rx: the whole packet; tx: the payload
};

// A frame that arrived before its sender's credentials (frame.c).
struct weft_gate_wait {
	uint64_t from; // 0 = free
	int64_t created_ms;
	uint16_t len;
	uint8_t pkt[WEFT_PACKET_MAX_LEN];
};

struct weft_whois {
	uint64_t address; // 0 = free
	int64_t last_sent_ms;
	int64_t created_ms;
};

struct weft_moon_seed {
	uint64_t moon_id; // 0 = free
	uint64_t seed;
};

struct weft_selfaware {
	uint64_t reporter; // 0 = free
	int64_t local_socket;
	struct weft_inetaddr reporter_addr, mine;
	int64_t ts_ms;
	bool trusted;
};

// A peer to contact at a given time (after a RENDEZVOUS opened our NAT toward it).
struct weft_contact {
	uint64_t address; // 0 = free
	int64_t due_ms;
	int64_t created_ms;
	int64_t local_socket;
	struct weft_inetaddr to;
};

// One configuration update being reassembled from its chunks (vl2.md §4.4).
struct weft_cfg_slot {
	uint64_t network_id; // 0 = free
	uint64_t update_id;
	uint32_t total, received;
	int64_t touched_ms;
	unsigned n_chunks;
	uint64_t chunk_ids[WEFT_LIMIT_CFG_CHUNKS]; // duplicate detector: folded signatures
	uint8_t *buf;                              // total bytes, allocated for the update
};

struct weft_unite {
	uint64_t a, b; // a < b; 0 = free
	int64_t ts_ms;
};

struct weft_node {
	struct weft_node_callbacks cb;
	struct weft_identity self;
	bool is_upstream; // our address is a root of the planet or a moon we hold
	bool online;
	bool allow_loopback; // host opt-in for single-host tests and benchmarks
	unsigned n_physical; // physical network settings from the host (physical.c)
	struct weft_physical_net physical[WEFT_MAX_PHYSICAL_NETS];

	struct weft_peer *buckets[WEFT_LIMIT_PEER_BUCKETS];
	size_t n_peers;

	bool have_planet;
	struct weft_world planet;
	unsigned n_moons;
	struct weft_world moons[WEFT_LIMIT_MOONS];
	struct weft_moon_seed seeds[WEFT_LIMIT_MOONS];
	unsigned n_upstreams;
	uint64_t upstreams[WEFT_LIMIT_UPSTREAMS]; // root addresses except ourselves

	struct weft_defrag defrag;
	uint32_t expect[WEFT_LIMIT_EXPECT_BUCKETS][WEFT_LIMIT_EXPECT_ENTRIES];
	uint8_t expect_next[WEFT_LIMIT_EXPECT_BUCKETS];
	struct weft_pending txq[WEFT_LIMIT_TXQ], rxq[WEFT_LIMIT_RXQ];
	unsigned
	    n_pending; // slots of txq and rxq in use: the per-packet timer check reads only this
	struct weft_whois whois[WEFT_LIMIT_WHOIS];
	struct weft_unite unite[WEFT_LIMIT_RENDEZVOUS];
	struct weft_contact contacts[WEFT_LIMIT_CONTACTS];
	int64_t
	    contacts_due_ms; // no contact is due before it; 0 = none waiting (no scan per packet)
	struct weft_cfg_slot cfg[WEFT_LIMIT_CFG_SLOTS];
	struct weft_selfaware selfaware[WEFT_LIMIT_SELFAWARE];
	int64_t idv[WEFT_LIMIT_IDV_BUCKETS];
	struct weft_mc mc; // multicast subscriptions we know of (directory role)
	unsigned n_networks;
	struct weft_network *networks[WEFT_LIMIT_NETWORKS];    // joined (network.c)
	struct weft_gate_wait gate_wait[WEFT_LIMIT_GATE_WAIT]; // frames waiting for credentials
	bool gate_retrying, gate_retry_failed;
	int64_t last_network_ms;

	int64_t last_ping_check_ms, last_housekeeping_ms, last_queue_ms;
	bool queues_dirty; // an identity arrived: retry the queues once the current call is done
	bool in_queues;    // guards against re-entering queue service
	uint64_t counters[WEFT_CTR_COUNT];
	uint64_t verb_rx[WEFT_VERB_SLOTS], verb_tx[WEFT_VERB_SLOTS]; // packets by verb (/metrics)

	// Per-call working buffers: the data path allocates nothing.
	uint8_t rx_buf[WEFT_PACKET_MAX_LEN];
	uint8_t assembled[WEFT_PACKET_MAX_LEN];
	uint8_t tx_buf[WEFT_PACKET_MAX_LEN + 64];
	uint8_t scratch[WEFT_PACKET_MAX_LEN];
	// A non-head fragment: 16 + min(mtu - 16, len - mtu) bytes is at most half of
	// (WEFT_PACKET_MAX_LEN + 16) whatever the MTU. Heads go out from tx_buf.
	uint8_t dg_buf[(WEFT_PACKET_MAX_LEN + WEFT_FRAGMENT_HEADER_LEN) / 2];
	uint8_t q_buf[WEFT_PACKET_MAX_LEN];   // a queued packet being retried
	uint8_t vl2_buf[WEFT_PACKET_MAX_LEN]; // a FRAME / EXT_FRAME being built (frame.c): never
	                                      // the buffer a handled packet sits in
	uint8_t cfg_buf[WEFT_PACKET_MAX_LEN]; // a config chunk being built
	// Random bytes drawn from the host in bulk (one call, not one per packet ID).
	uint8_t rand_pool[256];
	unsigned rand_left;
};

static inline void weft_count(struct weft_node *n, enum weft_counter c)
{
	n->counters[c]++;
}
void weft_node_trace(struct weft_node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
uint64_t weft_node_random_u64(struct weft_node *n);

// peer.c: the peer table and paths
struct weft_peer *weft_peer_find(const struct weft_node *n, uint64_t address);
struct weft_peer *weft_peer_add(struct weft_node *n, int64_t now_ms,
                                const struct weft_identity *id);
void weft_peer_remove(struct weft_node *n, struct weft_peer *p);
struct weft_path *weft_peer_path_find(struct weft_peer *p, int64_t local_socket,
                                      const struct weft_inetaddr *addr);
// Best non-expired path, preferring alive ones (vl1.md §6.4 quality); NULL if none.
struct weft_path *weft_peer_best_path(struct weft_peer *p, int64_t now_ms, bool alive_only);
struct weft_path *weft_peer_learn_path(struct weft_node *n, struct weft_peer *p, int64_t now_ms,
                                       int64_t local_socket, const struct weft_inetaddr *addr);
// The peer cache (peers.d): written when a peer is forgotten and at shutdown, read before a
// WHOIS would be sent.
void weft_peer_save(struct weft_node *n, const struct weft_peer *p);
struct weft_peer *weft_peer_load(struct weft_node *n, int64_t now_ms, uint64_t address);
bool weft_path_alive(const struct weft_path *path, int64_t now_ms);
bool weft_path_expired(const struct weft_path *path, int64_t now_ms);
uint64_t weft_path_quality(const struct weft_path *path, int64_t now_ms);
bool weft_node_path_allowed(struct weft_node *n, uint64_t address, int64_t local_socket,
                            const struct weft_inetaddr *addr);
void weft_peer_set_version(struct weft_peer *p, uint8_t proto, uint8_t major, uint8_t minor,
                           uint16_t rev);

// physical.c: the host's physical network settings (vl1.md §4.4, service.md §4.2)
const struct weft_physical_net *weft_physical_find(const struct weft_node *n,
                                                   const struct weft_inetaddr *addr);
bool weft_physical_trusted(const struct weft_node *n, const struct weft_inetaddr *from,
                           uint64_t trusted_path_id);

// topology.c: worlds and upstreams
bool weft_topology_is_upstream(const struct weft_node *n, uint64_t address);
struct weft_peer *weft_topology_best_upstream(struct weft_node *n, int64_t now_ms);
void weft_topology_refresh(struct weft_node *n, int64_t now_ms);
const struct weft_world_root *weft_topology_root(const struct weft_node *n, uint64_t address);
void weft_topology_offer_worlds(struct weft_node *n, int64_t now_ms, struct weft_peer *from,
                                const uint8_t *data, size_t len);
size_t weft_topology_worlds_for(const struct weft_node *n, const struct weft_hello *h, uint8_t *out,
                                size_t cap);
bool weft_topology_is_seed(const struct weft_node *n, uint64_t address);

// The node's own identity, secret included: for a controller hosted beside the node, which
// signs credentials with it (service/controller_host.c).
const struct weft_identity *weft_node_identity(const struct weft_node *n);

// rx_multicast.c: the multicast directory (vl2.md §8.2, 8.3, 8.7)
void weft_rx_multicast_like(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                            const uint8_t *payload, size_t len);
void weft_rx_multicast_gather(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                              const uint8_t *pkt, size_t len);
// As controller: remember that `member` was sent a configuration of nwid now.
void weft_multicast_configured(struct weft_node *n, int64_t now_ms, uint64_t member, uint64_t nwid);

// tx.c: sending
void weft_tx_expect(struct weft_node *n, const uint8_t *pkt);
bool weft_tx_expected(const struct weft_node *n, uint64_t in_re_id);
// General send path: best path, else relayed through the best upstream, else queued.
// With `may_queue` false an unroutable packet is refused (WEFT_ERR_NOT_FOUND) instead.
enum weft_result weft_tx_send(struct weft_node *n, int64_t now_ms, uint64_t dest, uint8_t verb,
                              const void *payload, size_t len, bool compress, bool may_queue);
// The direct path traffic to `p` uses now; NULL when it is relayed (see tx.c).
struct weft_path *weft_tx_direct_path(struct weft_node *n, struct weft_peer *p, int64_t now_ms);
// Arms and sends one packet in tx_buf on a specific path (replies, probes); no fragmentation.
void weft_tx_on_path(struct weft_node *n, int64_t now_ms, struct weft_peer *p, int64_t local_socket,
                     const struct weft_inetaddr *to, size_t len);
// Builds header + payload in tx_buf and returns the packet length.
size_t weft_tx_build(struct weft_node *n, uint64_t dest, uint8_t verb, const void *payload,
                     size_t len);
void weft_tx_hello(struct weft_node *n, int64_t now_ms, struct weft_peer *p, int64_t local_socket,
                   const struct weft_inetaddr *to);
void weft_tx_echo(struct weft_node *n, int64_t now_ms, struct weft_peer *p, struct weft_path *path);
void weft_tx_whois(struct weft_node *n, int64_t now_ms, uint64_t address);
void weft_tx_raw(struct weft_node *n, int64_t local_socket, const struct weft_inetaddr *to,
                 const uint8_t *data, size_t len, unsigned ttl);
// Retries queued packets whose identity or path is now known; expires old ones.
void weft_tx_service_queues(struct weft_node *n, int64_t now_ms);
void weft_tx_peer_known(struct weft_node *n, int64_t now_ms, uint64_t address);

// rx.c and rx_*.c: receiving
void weft_rx_packet(struct weft_node *n, int64_t now_ms, int64_t local_socket,
                    const struct weft_inetaddr *from, uint8_t *pkt, size_t len);
void weft_rx_hello(struct weft_node *n, int64_t now_ms, int64_t local_socket,
                   const struct weft_inetaddr *from, uint8_t *pkt, size_t len);
void weft_rx_verb(struct weft_node *n, int64_t now_ms, struct weft_peer *p, int64_t local_socket,
                  const struct weft_inetaddr *from, uint8_t *pkt, size_t len);
void weft_rx_hello_known(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                         int64_t local_socket, const struct weft_inetaddr *from, uint8_t *pkt,
                         size_t len);
void weft_rx_ok_hello(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                      int64_t local_socket, const struct weft_inetaddr *from, const uint8_t *pkt,
                      size_t len, unsigned hops);
// Path learning for an authenticated packet that arrived directly (vl1.md §6.4).
void weft_rx_learn(struct weft_node *n, int64_t now_ms, struct weft_peer *p, int64_t local_socket,
                   const struct weft_inetaddr *from, uint8_t verb);
// Starts an OK reply in tx_buf: header, OK verb, in-re verb and ID. Returns its length.
size_t weft_rx_reply_begin(struct weft_node *n, struct weft_peer *p, uint8_t in_re_verb,
                           const uint8_t *request);

// rx_verbs.c: contacts scheduled by RENDEZVOUS; returns the earliest still due (or INT64_MAX).
int64_t weft_rx_run_contacts(struct weft_node *n, int64_t now_ms);

// config.c: NETWORK_CONFIG_REQUEST, its chunked replies, NETWORK_CONFIG, and their errors.
void weft_rx_config_request(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                            const struct weft_inetaddr *from, const uint8_t *pkt, size_t len);
void weft_rx_config_chunk(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                          const uint8_t *body, size_t len);
void weft_rx_config_error(struct weft_node *n, struct weft_peer *p, uint8_t in_re_verb,
                          uint8_t code, const uint8_t *data, size_t len);
void weft_config_free(struct weft_node *n);

// relay.c
void weft_relay(struct weft_node *n, int64_t now_ms, const uint8_t *data, size_t len,
                bool fragment);

// selfaware.c
void weft_selfaware_report(struct weft_node *n, int64_t now_ms, uint64_t reporter,
                           int64_t local_socket, const struct weft_inetaddr *reporter_addr,
                           const struct weft_inetaddr *mine, bool trusted);
void weft_selfaware_clean(struct weft_node *n, int64_t now_ms);

// timers.c
int64_t weft_timers_run(struct weft_node *n, int64_t now_ms);

#endif
