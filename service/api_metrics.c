// SPDX-License-Identifier: MPL-2.0
// GET /metrics (service.md §1.6, §2.5.7): Prometheus text built when asked, in the reference's
// metric families where weft counts the same thing: packets per verb and direction, receive
// errors per reason, UDP bytes, networks, paths per peer, and the controller's totals. Read
// with the metrics token (metricstoken.secret) or the API token.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "controller.h"

#define MAX_PEERS    4096
#define MAX_COUNTERS 128
#define MAX_VERBS    32
#define MAX_NETWORKS 1024

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void packets(FILE *f, const struct weft_node *node)
{
	const char *names[MAX_VERBS];
	uint64_t rx[MAX_VERBS], tx[MAX_VERBS];
	size_t n = weft_node_verb_counters(node, names, rx, tx, MAX_VERBS);
	family(f, "zt_packet", "counter", "ZeroTier packet count by verb and direction");
	for (size_t i = 0; i < n && i < MAX_VERBS; i++) {
		fprintf(f, "zt_packet{direction=\"rx\",packet_type=\"%s\"} %llu\n", names[i],
		        (unsigned long long)rx[i]);
		fprintf(f, "zt_packet{direction=\"tx\",packet_type=\"%s\"} %llu\n", names[i],
		        (unsigned long long)tx[i]);
	}
}

// Every drop_* counter of the node is a receive error, labelled by its reason.
static void errors(FILE *f, const struct weft_node *node)
{
	const char *names[MAX_COUNTERS];
	uint64_t values[MAX_COUNTERS];
	size_t n = weft_node_counters(node, names, values, MAX_COUNTERS);
	family(f, "zt_packet_error", "counter", "Packets dropped, by reason");
	for (size_t i = 0; i < n && i < MAX_COUNTERS; i++)
		if (!strncmp(names[i], "drop_", 5))
			fprintf(f, "zt_packet_error{direction=\"rx\",error_type=\"%s\"} %llu\n",
			        names[i] + 5, (unsigned long long)values[i]);
}

static void peers(FILE *f, struct weft_node *node, int64_t now_ms)
{
	static struct weft_peer_info info[MAX_PEERS];
	char id[16];
	size_t n = weft_node_peers(node, now_ms, info, MAX_PEERS);
	family(f, "zt_peer_path_count", "gauge", "Paths to each peer, alive or dead");
	for (size_t i = 0; i < n && i < MAX_PEERS; i++) {
		unsigned alive = 0;
		for (unsigned k = 0; k < info[i].n_paths; k++)
			alive += info[i].paths[k].alive;
		snprintf(id, sizeof id, "%010llx", (unsigned long long)info[i].address);
		fprintf(f, "zt_peer_path_count{node_id=\"%s\",status=\"alive\"} %u\n", id, alive);
		fprintf(f, "zt_peer_path_count{node_id=\"%s\",status=\"dead\"} %u\n", id,
		        info[i].n_paths - alive);
	}
	family(f, "zt_peer_latency_ms", "gauge", "Latest measured latency to each peer, ms");
	for (size_t i = 0; i < n && i < MAX_PEERS; i++)
		if (info[i].latency_ms >= 0)
			fprintf(f, "zt_peer_latency_ms{node_id=\"%010llx\"} %d\n",
			        (unsigned long long)info[i].address, info[i].latency_ms);
	family(f, "zt_num_peers", "gauge", "Peers known to this node");
	fprintf(f, "zt_num_peers %zu\n", n);
}

static void controller(FILE *f, const struct weft_controller *c)
{
	static uint64_t ids[MAX_NETWORKS];
	uint64_t answered, refused, dropped, members = 0, authorized = 0;
	size_t n = weft_controller_networks(c, ids, MAX_NETWORKS);
	for (size_t i = 0; i < n && i < MAX_NETWORKS; i++) {
		size_t auth = 0;
		members += weft_controller_members(c, ids[i], NULL, 0, &auth);
		authorized += auth;
	}
	weft_controller_counts(c, &answered, &refused, &dropped);
	family(f, "controller_network_count", "gauge", "Networks in the controller");
	fprintf(f, "controller_network_count %zu\n", n);
	family(f, "controller_member_count", "gauge", "Members in the controller");
	fprintf(f, "controller_member_count %llu\n", (unsigned long long)members);
	family(f, "controller_member_auth_count", "gauge", "Authorized members in the controller");
	fprintf(f, "controller_member_auth_count %llu\n", (unsigned long long)authorized);
	family(f, "controller_network_config_request", "counter",
	       "Config requests by outcome (answered, refused, dropped)");
	fprintf(f, "controller_network_config_request{result=\"answered\"} %llu\n",
	        (unsigned long long)answered);
	fprintf(f, "controller_network_config_request{result=\"refused\"} %llu\n",
	        (unsigned long long)refused);
	fprintf(f, "controller_network_config_request{result=\"dropped\"} %llu\n",
	        (unsigned long long)dropped);
}

void weft_api_metrics(const struct weft_api_request *req, struct weft_api_response *resp)
{
	struct weft_service *s = req->svc;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		resp->status = 500;
		return;
	}
	packets(f, s->node);
	errors(f, s->node);
	family(f, "zt_data", "counter", "Bytes of ZeroTier traffic by direction and transport");
	fprintf(f, "zt_data{direction=\"rx\",protocol=\"udp\"} %llu\n",
	        (unsigned long long)s->udp_rx_bytes);
	fprintf(f, "zt_data{direction=\"tx\",protocol=\"udp\"} %llu\n",
	        (unsigned long long)s->udp_tx_bytes);
	family(f, "zt_num_networks", "gauge", "Networks this node has joined");
	fprintf(f, "zt_num_networks %zu\n", weft_node_networks(s->node, NULL, 0));
	peers(f, s->node, req->now_ms);
	if (s->controller)
		controller(f, s->controller);
	fclose(f);
	resp->text = text;
	resp->text_len = len;
	resp->content_type = "text/plain; version=0.0.4";
}
