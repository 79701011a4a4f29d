// SPDX-License-Identifier: MPL-2.0
// A deterministic in-process network for testing nodes: a virtual clock, a virtual wire with
// latency, jitter and loss, and NATs of three kinds in front of hosts. Every host runs a real
// weft_node through its public callbacks; nothing here knows the node's internals.
#ifndef WEFT_TEST_SIMNET_H
#define WEFT_TEST_SIMNET_H

#include <stdbool.h>
#include <stdint.h>

#include "weft/weft.h"

enum sim_nat {
	SIM_NAT_NONE,            // the host has a public address
	SIM_NAT_FULL_CONE,       // one mapping per inside port; anyone may send to it
	SIM_NAT_PORT_RESTRICTED, // one mapping per inside port; only addresses sent to may reply
	SIM_NAT_SYMMETRIC,       // a new mapping per destination; only that destination may reply
};

#define SIM_MAX_HOSTS    64
#define SIM_MAX_MAPPINGS 256
#define SIM_MAX_BLOCKS   16
#define SIM_MAX_INBOX    4096

struct sim_mapping {
	uint16_t inside_port, outside_port;
	struct weft_inetaddr dest;        // symmetric: the one destination; others: unused
	struct weft_inetaddr allowed[32]; // restricted filters: where the inside host sent
	unsigned n_allowed;
};

#define SIM_MAX_OBJECTS 128
#define SIM_MAX_FRAMES  64

// A frame the node handed to the host's port (frame_out), its payload cut to 64 bytes.
struct sim_frame {
	uint64_t network_id, src_mac, dst_mac;
	uint16_t ethertype;
	size_t len;
	uint8_t data[64];
};

struct sim_object {
	enum weft_state_object type;
	uint64_t id;
	size_t len;
	uint8_t data[];
};

struct sim_msg {
	uint64_t from;
	uint64_t type_id;
	int64_t at_ms;
	char text[64];
};

struct sim_host {
	struct sim_net *net;
	unsigned index;
	struct weft_node *node;
	uint64_t address;
	enum sim_nat nat;
	struct weft_inetaddr inside;  // the host's own address
	struct weft_inetaddr outside; // public address (the NAT's IP, or `inside` if no NAT)
	uint16_t next_port;
	unsigned n_mappings;
	struct sim_mapping mappings[SIM_MAX_MAPPINGS];
	uint64_t rng;
	int64_t deadline_ms;
	int64_t online_at_ms; // -1 until the ONLINE event
	// in-memory state objects
	char identity[300];
	long identity_len;
	uint8_t planet[8500];
	long planet_len;
	unsigned n_objects; // moons and peer cache entries
	struct sim_object *objects[SIM_MAX_OBJECTS];
	unsigned puts; // state_put calls, for tests that watch persistence
	unsigned n_inbox;
	struct sim_msg inbox[SIM_MAX_INBOX];
	// The controller role: set to answer config requests (NULL: "not a controller").
	void (*on_config_request)(struct sim_host *h, const struct weft_config_request *req);
	unsigned n_configs; // configurations received (the last one kept)
	uint64_t config_network, config_update;
	uint8_t *config;
	size_t config_len;
	unsigned n_config_errors, config_error;
	unsigned n_echo; // ECHO replies received (weft_node_ping)
	uint64_t last_echo_from, last_echo_cookie;
	unsigned
	    n_frames; // frames delivered to the port (frame_out), the first SIM_MAX_FRAMES kept
	struct sim_frame frames[SIM_MAX_FRAMES];
};

struct sim_event; // datagram in flight

struct sim_net {
	int64_t now_ms;
	uint64_t rng;
	unsigned latency_ms, jitter_ms;
	unsigned loss_permille;
	unsigned n_hosts;
	struct sim_host *hosts[SIM_MAX_HOSTS];
	struct sim_event *queue; // sorted by delivery time
	unsigned n_blocks;
	struct {
		struct weft_inetaddr a, b; // IPs only; traffic between them in either direction
	} blocks[SIM_MAX_BLOCKS];
	uint64_t delivered, dropped_nat, dropped_loss, dropped_block;
	bool trace;
};

void sim_init(struct sim_net *net, uint64_t seed, unsigned latency_ms, unsigned jitter_ms,
              unsigned loss_permille);
// Adds a host (its node is created with the planet given, may be NULL). Returns NULL on error.
struct sim_host *sim_add_host(struct sim_net *net, enum sim_nat nat, const uint8_t *planet,
                              size_t planet_len);
void sim_free(struct sim_net *net);
// Stores a state object for the host as its node would (e.g. a moon before orbiting it).
void sim_put_object(struct sim_host *h, enum weft_state_object type, uint64_t id, const void *data,
                    size_t len);
// Frees the host's node and creates a new one from its stored state (a restart).
bool sim_restart(struct sim_host *h);
// A planet naming `root` (its identity and outside address) as the only root, signed with the
// root's own keys; returns its length, 0 if it does not fit.
size_t sim_make_planet(struct sim_host *root, uint8_t *out, size_t cap);
// A named counter of the host's node (0 if unknown).
uint64_t sim_counter(const struct sim_host *h, const char *name);

// Delivers datagrams and runs timers until `until_ms` of virtual time.
void sim_run_until(struct sim_net *net, int64_t until_ms);

void sim_block(struct sim_net *net, const struct weft_inetaddr *a, const struct weft_inetaddr *b);
void sim_unblock_all(struct sim_net *net);

// The address a host's node learnt for `peer` and whether its preferred path is direct.
bool sim_has_direct_path(struct sim_host *h, uint64_t peer);
// Messages from `from` with `text` that arrived at `h`.
unsigned sim_count_msgs(const struct sim_host *h, uint64_t from, const char *text);

#endif
