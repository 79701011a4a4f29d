// SPDX-License-Identifier: MPL-2.0
// The real controller (controller/) serving networks from a sim host: a file store in a temp
// dir, the host's identity as signer, what it sends going out through the host's node, and the
// host's config requests handed to it. Tests that watch what it sends hook in with sim_ctl_hooks.
#ifndef WEFT_TEST_SIMCTL_H
#define WEFT_TEST_SIMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controller.h"
#include "simnet.h"

// Observers called before the controller's output reaches the node, each optional. A send hook
// returning false keeps that message off the wire (an answer to a request the test made up).
struct sim_ctl_hooks {
	void *ctx;
	bool (*config)(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id);
	bool (*error)(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
	              unsigned code);
	bool (*credentials)(void *ctx, uint64_t member, const void *payload, size_t len);
	// A request as the host received it, before the controller sees it.
	void (*request)(void *ctx, const struct weft_config_request *r, int64_t now_ms);
};

struct sim_ctl {
	struct sim_host *host;
	struct weft_controller *c; // NULL while closed
	char dir[32];              // the file store, removed by sim_ctl_free
	uint64_t rng;              // the controller's random bytes, from the seed given
	struct sim_ctl_hooks hooks;
};

// Makes the store's temp dir, opens the controller on it and makes `h` answer config requests
// with it. hooks may be NULL; it is copied. Returns NULL on any failure.
struct sim_ctl *sim_ctl_start(struct sim_host *h, uint64_t seed, const struct sim_ctl_hooks *hooks);
// Closes the controller (sc->c becomes NULL) and opens it again from the same store.
void sim_ctl_close(struct sim_ctl *sc);
enum weft_result sim_ctl_open(struct sim_ctl *sc);
// Closes the controller, removes the store and frees sc (NULL is fine).
void sim_ctl_free(struct sim_ctl *sc);

// Create or update network nwid / member addr from JSON text, as the API would; each is one
// check in the current test case (reported with the controller's reason).
enum weft_result sim_ctl_network(struct sim_ctl *sc, uint64_t nwid, const char *json);
enum weft_result sim_ctl_member(struct sim_ctl *sc, uint64_t nwid, uint64_t addr, const char *json);

#endif
