// SPDX-License-Identifier: MPL-2.0
// Public C API of the weft core: the one result type, the host-supplied randomness hook and
// version numbers. The core performs no I/O; everything it needs comes in through this API.
#ifndef WEFT_WEFT_H
#define WEFT_WEFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_VERSION_MAJOR    1
#define WEFT_VERSION_MINOR    14
#define WEFT_VERSION_REVISION 1
#define WEFT_VERSION_STRING   "1.14.1"

// 0 is success; 1..99 are non-fatal (the call failed, the object is unchanged);
// 100 and up are fatal (the object can no longer be used).
enum weft_result {
	WEFT_OK = 0,
	WEFT_ERR_INVALID = 1,      // malformed input or argument
	WEFT_ERR_TOO_BIG = 2,      // does not fit the buffer or a protocol limit
	WEFT_ERR_AUTH = 3,         // MAC or signature check failed
	WEFT_ERR_UNSUPPORTED = 4,  // valid but not handled (e.g. an unknown cipher suite)
	WEFT_ERR_NO_SECRET = 5,    // the operation needs a secret key the identity lacks
	WEFT_ERR_BAD_IDENTITY = 6, // identity fails validation (proof of work / address)
	WEFT_ERR_NOT_FOUND = 7,
	WEFT_ERR_FULL = 8, // a bounded table is full
	WEFT_FATAL_OUT_OF_MEMORY = 100,
	WEFT_FATAL_CRYPTO = 101, // crypto library failed to initialise or misbehaved
	WEFT_FATAL_INTERNAL = 102,
};

static inline bool weft_result_is_fatal(enum weft_result r)
{
	return r >= WEFT_FATAL_OUT_OF_MEMORY;
}

// Short English description of a result, for logs and CLI messages.
const char *weft_result_str(enum weft_result r);

// Host-supplied cryptographically secure randomness: fill `buf` with `len` bytes.
// The core never reads entropy itself.
typedef void (*weft_random_fn)(void *ctx, void *buf, size_t len);

// ---- IP endpoints -------------------------------------------------------------------------

enum weft_inet_family {
	WEFT_INET_NONE = 0,
	WEFT_INET_V4 = 4,
	WEFT_INET_V6 = 6,
};

// An IPv4 or IPv6 address and UDP port, IP bytes in network order.
struct weft_inetaddr {
	uint8_t family; // enum weft_inet_family
	uint8_t ip[16]; // 4 or 16 bytes used
	uint16_t port;  // host order
};

// ---- The node -----------------------------------------------------------------------------

struct weft_node; // opaque

// Objects the node persists through the host (service.md §1.2 names the files).
enum weft_state_object {
	WEFT_STATE_IDENTITY_PUBLIC = 1, // id 0; the public identity string
	WEFT_STATE_IDENTITY_SECRET = 2, // id 0; the secret identity string
	WEFT_STATE_PLANET = 3,          // id 0; serialized world
	WEFT_STATE_MOON = 4,            // id = moon ID; serialized world
	WEFT_STATE_PEER = 5,            // id = address; peer cache entry
	WEFT_STATE_NETWORK_CONFIG = 6,  // id = network ID; the config dictionary (networks.d)
};

enum weft_event {
	WEFT_EVENT_UP = 0,                   // node created; data NULL
	WEFT_EVENT_ONLINE = 1,               // an upstream answered; data NULL
	WEFT_EVENT_OFFLINE = 2,              // no upstream heard for 500 s; data NULL
	WEFT_EVENT_DOWN = 3,                 // node being freed; data NULL
	WEFT_EVENT_IDENTITY_COLLISION = 4,   // an upstream says our address is taken; data NULL
	WEFT_EVENT_TRACE = 5,                // data: const char *, a debug line
	WEFT_EVENT_USER_MESSAGE = 6,         // data: const struct weft_user_message *
	WEFT_EVENT_ECHO_REPLY = 7,           // data: const struct weft_echo_reply *
	WEFT_EVENT_NETWORK_CONFIG = 8,       // data: const struct weft_network_config *
	WEFT_EVENT_NETWORK_CONFIG_ERROR = 9, // data: const struct weft_network_config_error *
	// A joined network changed (joined, configured, refused, left): data is
	// const struct weft_network_info *, the network as it now is (status LEFT when left).
	WEFT_EVENT_NETWORK_CHANGED = 10,
};

// ---- Virtual networks (VL2, the member side) ------------------------------------------------

// Status values as 1.14 reports them (vl2.md §4.8); LEFT only in the event after a leave.
enum weft_network_status {
	WEFT_NETWORK_REQUESTING_CONFIGURATION = 0,
	WEFT_NETWORK_OK = 1,
	WEFT_NETWORK_ACCESS_DENIED = 2,
	WEFT_NETWORK_NOT_FOUND = 3,
	WEFT_NETWORK_PORT_ERROR = 4,
	WEFT_NETWORK_CLIENT_TOO_OLD = 5,
	WEFT_NETWORK_AUTHENTICATION_REQUIRED = 6,
	WEFT_NETWORK_LEFT = 100,
};

#define WEFT_NETWORK_MAX_ADDRESSES 32
#define WEFT_NETWORK_MAX_ROUTES    128
#define WEFT_NETWORK_MAX_DNS       4

struct weft_network_route {
	struct weft_inetaddr target; // port = prefix length
	struct weft_inetaddr via;    // family 0: on-link
	uint16_t flags, metric;
};

// What a host needs to run a network's port and to show it (service.md §2.5.3).
struct weft_network_info {
	uint64_t network_id;
	uint64_t mac; // this node's MAC on the network, 48 bits
	enum weft_network_status status;
	bool has_config;
	bool is_public;
	bool broadcast;
	bool bridge; // this node is an active bridge on it
	uint32_t mtu;
	uint32_t multicast_limit;
	uint64_t revision; // the config's `r`
	int64_t config_ms; // when the current config was applied (host clock), 0 = never
	char name[128];
	unsigned n_addresses;
	struct weft_inetaddr addresses[WEFT_NETWORK_MAX_ADDRESSES]; // port = prefix length
	unsigned n_routes;
	struct weft_network_route routes[WEFT_NETWORK_MAX_ROUTES];
	char dns_domain[128];
	unsigned n_dns;
	struct weft_inetaddr dns_servers[WEFT_NETWORK_MAX_DNS];
};

// One Ethernet frame for the host's port of a network (the tap device).
struct weft_frame {
	uint64_t network_id;
	uint64_t src_mac, dst_mac; // 48 bits
	uint16_t ethertype;
	uint16_t vlan_id; // always 0
	const void *data; // the payload after the 14-byte header, borrowed for the call
	size_t len;
};

// A complete, signature-checked configuration dictionary from a network's controller.
struct weft_network_config {
	uint64_t network_id;
	uint64_t update_id;
	const void *dict; // borrowed for the call; no terminating NUL
	size_t len;
};

// The controller refused a config request (vl2.md §4.7): code is an ERROR code
// (3 not found, 5 not a controller, 7 access denied, 9 authentication required).
struct weft_network_config_error {
	uint64_t network_id;
	unsigned code;
};

// A member asks this node, as controller, for a network's configuration (vl2.md §4.1).
struct weft_config_request {
	uint64_t network_id;
	uint64_t requester;   // address; its identity is known to the node
	uint64_t request_id;  // pass back to weft_node_send_config / _error
	const void *metadata; // dictionary bytes, borrowed for the call
	size_t metadata_len;
	const char *requester_identity; // public identity string, borrowed for the call
	// Where the request came from when it arrived directly (hop count 0), else NULL.
	const struct weft_inetaddr *physical;
};

// The answer to weft_node_ping.
struct weft_echo_reply {
	uint64_t source; // who answered
	uint64_t cookie; // as given to weft_node_ping
	bool direct;     // arrived on a direct path (hop count 0)
};

struct weft_user_message {
	uint64_t source;  // sender's address
	uint64_t type_id; // application-chosen type
	const void *data; // borrowed for the call
	size_t len;
};

// Every way the node reaches the world. Pointers passed to callbacks are borrowed for the call.
struct weft_node_callbacks {
	void *ctx;
	// Sends one UDP datagram from local socket `local_socket` (-1: from every local socket)
	// to `to`; ttl 0 means the default. Returns 0 if handed to the OS.
	int (*wire_send)(void *ctx, int64_t local_socket, const struct weft_inetaddr *to,
	                 const void *data, size_t len, unsigned ttl);
	// Cryptographically secure random bytes.
	void (*random)(void *ctx, void *buf, size_t len);
	// Stores an object; data NULL deletes it.
	void (*state_put)(void *ctx, enum weft_state_object type, uint64_t id, const void *data,
	                  size_t len);
	// Loads an object into buf; returns its length, or -1 if absent or larger than cap.
	long (*state_get)(void *ctx, enum weft_state_object type, uint64_t id, void *buf,
	                  size_t cap);
	// Something happened; see enum weft_event for what `data` points to.
	void (*event)(void *ctx, enum weft_event event, const void *data);
	// Optional: may the node use this physical path to `address`? NULL allows all.
	bool (*path_check)(void *ctx, uint64_t address, int64_t local_socket,
	                   const struct weft_inetaddr *remote);
	// Optional: the controller role. NULL answers every config request with
	// ERROR(UNSUPPORTED_OPERATION), as a node without a controller does.
	void (*config_request)(void *ctx, const struct weft_config_request *request);
	// Optional: a frame for the local port of a joined network (NULL: frames are dropped).
	void (*frame_out)(void *ctx, const struct weft_frame *frame);
};

// Creates a node: loads its identity through state_get (or generates and stores one), its
// planet (a node with no planet has no roots until one is given) and nothing else.
enum weft_result weft_node_new(struct weft_node **out, const struct weft_node_callbacks *cb,
                               int64_t now_ms);
void weft_node_free(struct weft_node *node);

// Feeds one received UDP datagram. *next_deadline_ms is when to call process_background.
enum weft_result weft_node_process_wire_packet(struct weft_node *node, int64_t now_ms,
                                               int64_t local_socket,
                                               const struct weft_inetaddr *from, const void *data,
                                               size_t len, int64_t *next_deadline_ms);
// Runs timers (keepalives, retries, expiry); call at or after the deadline it returns.
enum weft_result weft_node_process_background(struct weft_node *node, int64_t now_ms,
                                              int64_t *next_deadline_ms);

uint64_t weft_node_address(const struct weft_node *node);
// True once an upstream has answered within the last 500 s (or the node is itself a root).
bool weft_node_online(const struct weft_node *node);

// Sends a USER_MESSAGE (verb 0x14) to another node, resolving it through the roots if needed.
enum weft_result weft_node_send_user_message(struct weft_node *node, int64_t now_ms, uint64_t dest,
                                             uint64_t type_id, const void *data, size_t len);

// Sends an ECHO carrying `cookie` to another node (resolving it, relaying if need be); its
// OK comes back as WEFT_EVENT_ECHO_REPLY. A VL1 reachability probe, like ping.
enum weft_result weft_node_ping(struct weft_node *node, int64_t now_ms, uint64_t dest,
                                uint64_t cookie);

// Asks a network's controller (the address in its top 40 bits) for the configuration;
// the answer comes as WEFT_EVENT_NETWORK_CONFIG or WEFT_EVENT_NETWORK_CONFIG_ERROR.
enum weft_result weft_node_request_config(struct weft_node *node, int64_t now_ms,
                                          uint64_t network_id, const void *metadata,
                                          size_t metadata_len);
// As controller: sends a configuration dictionary to a member in signed chunks, as the reply
// to request_id, or as an unsolicited NETWORK_CONFIG push when request_id is 0.
enum weft_result weft_node_send_config(struct weft_node *node, int64_t now_ms, uint64_t network_id,
                                       uint64_t member, uint64_t request_id, const void *dict,
                                       size_t len);
// As controller: refuses a request (code 3 not found, 7 access denied, ...).
enum weft_result weft_node_send_config_error(struct weft_node *node, int64_t now_ms,
                                             uint64_t network_id, uint64_t member,
                                             uint64_t request_id, unsigned code);

// Joins a network: loads its stored config (WEFT_STATE_NETWORK_CONFIG) if any and asks its
// controller; progress arrives as WEFT_EVENT_NETWORK_CHANGED. Joining twice is harmless.
enum weft_result weft_node_join(struct weft_node *node, int64_t now_ms, uint64_t network_id);
// Leaves: forgets the network and deletes its stored config. WEFT_ERR_NOT_FOUND if not joined.
enum weft_result weft_node_leave(struct weft_node *node, int64_t now_ms, uint64_t network_id);
// Joined networks in ascending order: fills up to cap, returns how many.
size_t weft_node_networks(const struct weft_node *node, uint64_t *ids, size_t cap);
enum weft_result weft_node_network_info(const struct weft_node *node, uint64_t network_id,
                                        struct weft_network_info *out);
// A frame from the local port of a joined network (the tap): switched to members (vl2.md §7.3).
enum weft_result weft_node_process_frame(struct weft_node *node, int64_t now_ms,
                                         const struct weft_frame *frame, int64_t *next_deadline_ms);
// Multicast groups the local port listens to (service.md §5.5); LIKEs announce them.
enum weft_result weft_node_multicast_subscribe(struct weft_node *node, int64_t now_ms,
                                               uint64_t network_id, uint64_t mac, uint32_t adi);
enum weft_result weft_node_multicast_unsubscribe(struct weft_node *node, uint64_t network_id,
                                                 uint64_t mac, uint32_t adi);

// Sends a NETWORK_CREDENTIALS packet (verb 0x0a) whose payload the caller built (vl2.md §5.7),
// e.g. a controller's signed revocation.
enum weft_result weft_node_send_credentials(struct weft_node *node, int64_t now_ms, uint64_t dest,
                                            const void *payload, size_t len);

// Loopback addresses are refused as paths, as 1.14 refuses them; tests and benchmarks that
// run every node on one host turn this on.
void weft_node_allow_loopback_paths(struct weft_node *node, bool allow);

// ---- Physical networks and paths (local.conf `physical` and `virtual`, service.md §4.2-4.3) --

#define WEFT_MAX_PHYSICAL_NETS 32

// A physical network with local settings (local.conf `physical`, service.md §4.2).
struct weft_physical_net {
	struct weft_inetaddr ip;  // network address; port ignored
	unsigned bits;            // prefix length
	uint64_t trusted_path_id; // non-zero: a trusted path (cipher suite 2, vl1.md §4.4)
	unsigned mtu;             // physical MTU for paths inside it (1400..10324); 0: the default
};

// Replaces the node's physical network settings (copied; n 0 clears them). WEFT_ERR_INVALID
// if n > WEFT_MAX_PHYSICAL_NETS or an entry is malformed (family neither IPv4 nor IPv6, bits
// beyond the family, mtu not 0 and outside 1400..10324); the settings are then unchanged.
// Where networks overlap, the longest prefix containing an address decides for it.
enum weft_result weft_node_set_physical(struct weft_node *node,
                                        const struct weft_physical_net *nets, size_t n);
// Tries a path to peer `address` at `remote` from `local_socket` (-1: every socket) by sending
// it a HELLO: local.conf `virtual.<addr>.try` (service.md §4.3). WEFT_ERR_INVALID for a
// reserved address or our own; WEFT_ERR_UNSUPPORTED if path_check (or the loopback rule)
// refuses the path. If the peer's identity is not known yet, sends a WHOIS upstream and
// returns WEFT_ERR_NOT_FOUND; the host calls again later.
enum weft_result weft_node_try_path(struct weft_node *node, int64_t now_ms, uint64_t address,
                                    int64_t local_socket, const struct weft_inetaddr *remote);

// Replaces the planet with a serialized world (no signature check: the host vouches for it).
enum weft_result weft_node_set_planet(struct weft_node *node, int64_t now_ms, const void *world,
                                      size_t len);
// Joins a moon: loads it through state_get, or fetches it from `seed` (0: stored only).
enum weft_result weft_node_orbit(struct weft_node *node, int64_t now_ms, uint64_t moon_id,
                                 uint64_t seed);
enum weft_result weft_node_deorbit(struct weft_node *node, int64_t now_ms, uint64_t moon_id);
// IDs of the moons held (fetched, not merely wanted); returns how many there are.
size_t weft_node_moons(const struct weft_node *node, uint64_t *ids, size_t cap);
// A held world in its serialized form: the planet (id 0) or a moon. Returns its length, or 0
// if absent or larger than cap.
size_t weft_node_world(const struct weft_node *node, uint64_t id, void *buf, size_t cap);
// True if a seed was given for this moon and its definition has not arrived yet.
bool weft_node_moon_waiting(const struct weft_node *node, uint64_t moon_id);

// ---- Peers as the node sees them ----------------------------------------------------------

enum weft_peer_role {
	WEFT_PEER_LEAF = 0,
	WEFT_PEER_MOON = 1,
	WEFT_PEER_PLANET = 2,
};

struct weft_path_info {
	int64_t local_socket;
	struct weft_inetaddr address;
	int64_t last_send_ms;
	int64_t last_receive_ms;
	bool alive;     // heard within 19 s
	bool expired;   // no authenticated packet for 243 s
	bool preferred; // the one traffic uses now (none while the peer is reached via a relay)
	unsigned latency_ms; // 65535 = unknown
};

#define WEFT_PEER_INFO_MAX_PATHS 16

struct weft_peer_info {
	uint64_t address;
	int version_major, version_minor, version_revision; // -1 if unknown
	int proto;                                          // protocol version, 0 if unknown
	int latency_ms;                                     // -1 if unknown
	enum weft_peer_role role;
	int64_t last_receive_ms;
	unsigned n_paths;
	struct weft_path_info paths[WEFT_PEER_INFO_MAX_PATHS];
};

// Fills up to `cap` peers in ascending address order; returns the number of peers known.
size_t weft_node_peers(struct weft_node *node, int64_t now_ms, struct weft_peer_info *out,
                       size_t cap);

// Named counters of dropped packets and other events, for tests and /metrics.
size_t weft_node_counters(const struct weft_node *node, const char **names, uint64_t *values,
                          size_t cap);
// Packets received (authenticated) and sent, per verb: fills up to `cap` entries named as
// ZeroTier's metrics name verbs ("hello", "frame", ...); returns the number of verbs.
size_t weft_node_verb_counters(const struct weft_node *node, const char **names, uint64_t *rx,
                               uint64_t *tx, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
