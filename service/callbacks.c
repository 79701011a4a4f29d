// SPDX-License-Identifier: MPL-2.0
// The core's callbacks in weftd: datagrams out through the UDP sockets, state to files,
// events to the log, frames and network changes to the ports (network_port.c).
#include <stdio.h>

#include "inetaddr.h"
#include "log.h"
#include "loop.h"
#include "network_port.h"
#include "random.h"
#include "service.h"
#include "state.h"
#include "udp.h"
#include "udp_batch.h"
#include "wire.h"
#include "workers.h"

void weft_service_flush(struct weft_service *s)
{
	struct weft_udp_batch *b = weft_workers_batch(s);
	if (b && b->n)
		weft_udp_batch_flush(b);
	weft_ports_flush(s);
}

// Which piece of a packet a datagram is (vl1.md §3 fragments), for the batch's ordering.
static enum weft_udp_piece piece_of(const uint8_t *d, size_t len)
{
	if (len > WEFT_WIRE_FRAG_IDX_PAYLOAD && d[WEFT_WIRE_FRAG_IDX_INDICATOR] == 0xff)
		return d[WEFT_WIRE_FRAG_IDX_NUMBERS] == 0x21 ? WEFT_UDP_TAIL_OF_TWO
		                                             : WEFT_UDP_WHOLE;
	if (len > WEFT_WIRE_IDX_FLAGS && (d[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_FRAGMENTED))
		return WEFT_UDP_HEAD_OF_TWO; // or of more: then no tail of two follows it
	return WEFT_UDP_WHOLE;
}

// Datagrams are batched for one sendmmsg per loop turn; a send with its own TTL (the NAT
// opener) goes at once, after what was queued before it.
static int wire_send(void *ctx, int64_t local_socket, const struct weft_inetaddr *to,
                     const void *data, size_t len, unsigned ttl)
{
	struct weft_service *s = ctx;
	int sent = 0;
	s->udp_tx_bytes += len;
	struct weft_udp_batch *b = weft_workers_batch(s);
	if (!ttl && b) {
		enum weft_udp_piece piece = piece_of(data, len);
		if (local_socket >= 0 && local_socket < (int64_t)s->n_socks &&
		    s->sock_family[local_socket] == to->family) {
			weft_udp_batch_add(b, s->socks[local_socket], to, data, len, piece);
			return 0;
		}
		for (unsigned i = 0; i < s->n_socks; i++)
			if (s->sock_family[i] == to->family) {
				weft_udp_batch_add(b, s->socks[i], to, data, len, piece);
				sent++;
			}
		return sent ? 0 : -1;
	}
	weft_service_flush(s);
	if (local_socket >= 0 && local_socket < (int64_t)s->n_socks &&
	    s->sock_family[local_socket] == to->family)
		return weft_udp_send(s->socks[local_socket], to, data, len, ttl);
	// No socket named (or a stale one): send from every socket of the family.
	for (unsigned i = 0; i < s->n_socks; i++)
		if (s->sock_family[i] == to->family &&
		    weft_udp_send(s->socks[i], to, data, len, ttl) == 0)
			sent++;
	return sent ? 0 : -1;
}

static void event(void *ctx, enum weft_event ev, const void *data)
{
	(void)ctx;
	switch (ev) {
	case WEFT_EVENT_UP: break; // weftd logs the address once creation returns
	case WEFT_EVENT_ONLINE: weft_log(WEFT_LOG_INFO, "online"); break;
	case WEFT_EVENT_OFFLINE: weft_log(WEFT_LOG_WARN, "offline: no root answers"); break;
	case WEFT_EVENT_DOWN: weft_log(WEFT_LOG_INFO, "node down"); break;
	case WEFT_EVENT_IDENTITY_COLLISION:
		weft_log(WEFT_LOG_ERROR, "identity collision: another node has our address");
		break;
	case WEFT_EVENT_TRACE: weft_log(WEFT_LOG_DEBUG, "%s", (const char *)data); break;
	case WEFT_EVENT_NETWORK_CONFIG:
	case WEFT_EVENT_NETWORK_CONFIG_ERROR: break; // the core applies them (network.c)
	case WEFT_EVENT_NETWORK_CHANGED: weft_ports_changed(ctx, data); break;
	case WEFT_EVENT_ECHO_REPLY: weft_service_ping_reply(ctx, data); break;
	case WEFT_EVENT_USER_MESSAGE: {
		const struct weft_user_message *m = data;
		weft_log(WEFT_LOG_DEBUG, "user message type %llu (%zu bytes) from %010llx",
		         (unsigned long long)m->type_id, m->len, (unsigned long long)m->source);
		break;
	}
	}
}

static void state_put(void *ctx, enum weft_state_object type, uint64_t id, const void *data,
                      size_t len)
{
	struct weft_service *s = ctx;
	weft_state_put((void *)s->home, type, id, data, len);
}

static long state_get(void *ctx, enum weft_state_object type, uint64_t id, void *buf, size_t cap)
{
	struct weft_service *s = ctx;
	return weft_state_get((void *)s->home, type, id, buf, cap);
}

static void frame_out(void *ctx, const struct weft_frame *f)
{
	weft_ports_frame_out(ctx, f);
}

static void config_request(void *ctx, const struct weft_config_request *rq)
{
	weft_service_controller_request(ctx, rq, weft_os_now_ms());
}

void weft_service_callbacks(struct weft_service *s, struct weft_node_callbacks *cb)
{
	*cb = (struct weft_node_callbacks){
	    .ctx = s,
	    .wire_send = wire_send,
	    .random = weft_os_random,
	    .state_put = state_put,
	    .state_get = state_get,
	    .event = event,
	    .config_request = config_request,
	    .frame_out = frame_out,
	    .path_check = weft_service_path_check,
	};
}
