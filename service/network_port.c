// SPDX-License-Identifier: MPL-2.0
// Ports of joined networks (service.md §5, §6.6): the table, join and leave with their files,
// the TAP created once the network has a config, frames between the TAP and the core, and the
// periodic multicast rescan and route re-sync. Addresses and routes: network_sync.c;
// multicast groups: network_mcast.c.
#include "network_port.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fs.h"
#include "gro.h"
#include "gso.h"
#include "log.h"
#include "loop.h"
#include "state.h"
#include "workers.h"

#define FRAMES_PER_WAKE 64 // TAP reads before the loop looks at others
#define DEVICEMAP_MAX   65536

// One network's info at a time; weftd runs one thread.
static struct weft_network_info scratch_info;

static struct weft_ports *ports_of(struct weft_service *s)
{
	if (!s->ports)
		s->ports = calloc(1, sizeof *s->ports);
	return s->ports;
}

struct weft_port *weft_ports_find(struct weft_service *s, uint64_t nwid)
{
	for (unsigned i = 0; s->ports && i < WEFT_PORTS_MAX; i++)
		if (s->ports->port[i] && s->ports->port[i]->nwid == nwid)
			return s->ports->port[i];
	return NULL;
}

// The devicemap name for nwid (§1.2: `NWID=name` lines), or "" if none.
static void devicemap_name(const char *home, uint64_t nwid, char out[WEFT_TAP_NAME_MAX])
{
	char path[4200], key[18];
	size_t len;
	out[0] = 0;
	snprintf(path, sizeof path, "%s/devicemap", home);
	snprintf(key, sizeof key, "%016llx=", (unsigned long long)nwid);
	char *text = weft_fs_read(path, DEVICEMAP_MAX, &len);
	for (char *save = NULL, *l = text ? strtok_r(text, "\r\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\r\n", &save))
		if (!strncasecmp(l, key, 17) && strlen(l + 17) < WEFT_TAP_NAME_MAX)
			snprintf(out, WEFT_TAP_NAME_MAX, "%s", l + 17);
	free(text);
}

static struct weft_port *port_new(struct weft_service *s, uint64_t nwid)
{
	struct weft_ports *t = ports_of(s);
	unsigned i = 0;
	while (t && i < WEFT_PORTS_MAX && t->port[i])
		i++;
	if (!t || i == WEFT_PORTS_MAX)
		return NULL;
	struct weft_port *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->svc = s;
	p->nwid = nwid;
	p->tap.fd = -1;
	weft_network_settings_load(&p->settings, s->home, nwid);
	t->port[i] = p;
	return p;
}

// Writes what p's gro holds.
static void gro_write(struct weft_service *s, struct weft_port *p)
{
	struct virtio_net_hdr h;
	const uint8_t *frame;
	size_t len;
	if (!p->gro || weft_gro_empty(p->gro))
		return;
	weft_gro_take(p->gro, &h, &frame, &len);
	s->ports->gro_held--;
	weft_tap_write_vnet(&p->tap, &h, frame, len);
}

static void port_free(struct weft_service *s, struct weft_port *p)
{
	gro_write(s, p);
	free(p->gro);
	weft_workers_drop_port(s, p);
	if (p->tap.fd >= 0) {
		weft_port_unsync(p);
		weft_loop_del(s->loop, p->tap.fd);
		weft_tap_close(&p->tap);
	}
	for (unsigned i = 0; i < WEFT_PORTS_MAX; i++)
		if (s->ports->port[i] == p)
			s->ports->port[i] = NULL;
	if (s->ports->last == p)
		s->ports->last = NULL;
	free(p);
}

struct weft_port *weft_ports_join(struct weft_service *s, uint64_t nwid, enum weft_result *r)
{
	struct weft_port *p = weft_ports_find(s, nwid);
	*r = WEFT_OK;
	if (p)
		return p;
	p = port_new(s, nwid);
	if (!p) {
		*r = WEFT_ERR_FULL;
		return NULL;
	}
	*r = weft_node_join(s->node, weft_os_now_ms(), nwid);
	if (*r != WEFT_OK) {
		port_free(s, p);
		return NULL;
	}
	weft_state_network_placeholder(s->home, nwid);
	return weft_ports_find(s, nwid); // an event may have dropped it
}

enum weft_result weft_ports_leave(struct weft_service *s, uint64_t nwid)
{
	enum weft_result r = weft_node_leave(s->node, weft_os_now_ms(), nwid);
	struct weft_port *p = weft_ports_find(s, nwid);
	if (p)
		port_free(s, p); // the core's LEFT event normally did this already
	if (r == WEFT_OK) {
		weft_state_put((void *)s->home, WEFT_STATE_NETWORK_CONFIG, nwid, NULL, 0);
		weft_network_settings_remove(s->home, nwid);
	}
	return r;
}

void weft_ports_frame_in(void *ctx, const struct weft_tap_frame *f)
{
	struct weft_port *p = ctx;
	struct weft_frame fr = {.network_id = p->nwid,
	                        .src_mac = f->src,
	                        .dst_mac = f->dst,
	                        .ethertype = f->ethertype,
	                        .data = f->payload,
	                        .len = f->len};
	weft_node_process_frame(p->svc->node, weft_os_now_ms(), &fr, &p->svc->deadline_ms);
}

// TAP readable: every waiting frame goes to the core (§5.1: no VLANs, vlan_id 0); a TCP
// super-packet from an offload port arrives as its segments.
static void on_tap(void *ctx, int fd)
{
	static uint8_t buf[WEFT_TAP_READ_MAX], scratch[WEFT_GSO_SCRATCH];
	struct weft_port *p = ctx;
	(void)fd;
	size_t cap =
	    p->tap.vnet ? sizeof buf : WEFT_TAP_ETH_HDR + (p->tap.mtu < 10000 ? p->tap.mtu : 10000);
	for (int i = 0; i < FRAMES_PER_WAKE; i++) {
		int r = weft_tap_read_frames(&p->tap, buf, cap, scratch, sizeof scratch,
		                             weft_ports_frame_in, p);
		if (r == 0 || (r < 0 && r != -EBADMSG))
			break;
	}
	weft_service_flush(p->svc);
}

// Frames from the core to the TAP. On an offload port TCP segments of one flow that follow on
// are held and written as one super-packet (gro.h), so the kernel's TCP runs once per batch
// rather than per segment; anything that cannot join first writes what is held, keeping order.
void weft_ports_frame_out(struct weft_service *s, const struct weft_frame *f)
{
	struct weft_ports *t = s->ports;
	if (!t)
		return;
	if (!t->last || t->last->nwid != f->network_id)
		t->last = weft_ports_find(s, f->network_id);
	struct weft_port *p = t->last;
	if (!p || p->tap.fd < 0)
		return;
	if (p->gro && f->len <= p->tap.mtu) {
		uint8_t eth[WEFT_TAP_ETH_HDR];
		weft_tap_eth_header(eth, f->dst_mac, f->src_mac, f->ethertype);
		bool was_empty = weft_gro_empty(p->gro);
		bool taken = weft_gro_offer(p->gro, eth, f->data, f->len);
		if (!taken && !was_empty) {
			gro_write(s, p);
			was_empty = true;
			taken = weft_gro_offer(p->gro, eth, f->data, f->len);
		}
		if (taken) {
			t->gro_held += was_empty;
			return;
		}
	}
	weft_tap_write(&p->tap, f->dst_mac, f->src_mac, f->ethertype, f->data, f->len);
}

void weft_ports_flush(struct weft_service *s)
{
	for (unsigned i = 0; s->ports && s->ports->gro_held && i < WEFT_PORTS_MAX; i++)
		if (s->ports->port[i])
			gro_write(s, s->ports->port[i]);
}

static void open_tap(struct weft_service *s, struct weft_port *p,
                     const struct weft_network_info *info)
{
	char name[WEFT_TAP_NAME_MAX], err[WEFT_TAP_ERR_MAX];
	devicemap_name(s->home, p->nwid, name);
	// WEFT_TAP_OFFLOAD=0 opens a plain TAP (for comparisons in bench/overlay).
	const char *off = getenv("WEFT_TAP_OFFLOAD");
	bool plain = off && !strcmp(off, "0");
	int r = plain ? weft_tap_open(&p->tap, p->nwid, name, info->mac, info->mtu, err)
	        : weft_workers_count(s)
	            ? weft_tap_open_multi(&p->tap, p->nwid, name, info->mac, info->mtu, err)
	            : weft_tap_open_offload(&p->tap, p->nwid, name, info->mac, info->mtu, err);
	if (r != 0 && !plain && weft_workers_count(s)) // no multi-queue TAPs here: one queue
		r = weft_tap_open_offload(&p->tap, p->nwid, name, info->mac, info->mtu, err);
	// Coalescing on write needs the virtio-net header; WEFT_TAP_GRO=0 turns it off (A/B runs).
	const char *gro = getenv("WEFT_TAP_GRO");
	if (r == 0 && p->tap.vnet && !(gro && !strcmp(gro, "0")) && !p->gro) {
		p->gro = malloc(sizeof *p->gro);
		if (p->gro)
			weft_gro_init(p->gro);
	}
	if (r == 0 && weft_loop_add(s->loop, p->tap.fd, on_tap, p) != 0) {
		snprintf(err, sizeof err, "too many descriptors in the event loop");
		weft_tap_close(&p->tap);
		r = -1;
	}
	if (r != 0) {
		p->tap.fd = -1;
		p->port_error = WEFT_PORT_ERROR_SETUP;
		weft_log(WEFT_LOG_ERROR, "ERROR: unable to configure virtual network port: %s",
		         err);
		return;
	}
	if (p->tap.multi)
		weft_workers_add_port(s, p);
	weft_log(WEFT_LOG_INFO, "network %016llx: port %s up", (unsigned long long)p->nwid,
	         p->tap.name);
}

void weft_ports_changed(struct weft_service *s, const struct weft_network_info *info)
{
	struct weft_port *p = weft_ports_find(s, info->network_id);
	if (info->status == WEFT_NETWORK_LEFT) {
		if (p)
			port_free(s, p);
		return;
	}
	if (!p && !(p = port_new(s, info->network_id)))
		return;
	if (!info->has_config)
		return;
	if (p->tap.fd < 0 && !p->port_error)
		open_tap(s, p, info);
	if (p->tap.fd < 0)
		return;
	int r = weft_tap_set_mtu(&p->tap, info->mtu);
	if (r)
		weft_log(WEFT_LOG_WARN, "%s: MTU %u: %s", p->tap.name, info->mtu, strerror(-r));
	weft_port_sync(p, info, weft_node_online(s->node));
	weft_port_scan_multicast(s, p, weft_os_now_ms());
	memcpy(p->shown, p->groups, p->n_groups * sizeof *p->groups);
	p->n_shown = p->n_groups;
}

void weft_ports_resync(struct weft_service *s, struct weft_port *p)
{
	if (p->tap.fd >= 0 && weft_node_network_info(s->node, p->nwid, &scratch_info) == WEFT_OK)
		weft_port_sync(p, &scratch_info, weft_node_online(s->node));
}

void weft_ports_tick(struct weft_service *s, int64_t now_ms)
{
	struct weft_ports *t = s->ports;
	if (!t)
		return;
	bool scan = now_ms - t->scan_ms >= WEFT_PORT_SCAN_MS;
	bool resync = now_ms - t->resync_ms >= WEFT_PORT_RESYNC_MS;
	if (scan)
		t->scan_ms = now_ms;
	if (resync)
		t->resync_ms = now_ms;
	for (unsigned i = 0; i < WEFT_PORTS_MAX && (scan || resync); i++) {
		struct weft_port *p = t->port[i];
		if (p && scan)
			weft_port_scan_multicast(s, p, now_ms);
		if (p && resync)
			weft_ports_resync(s, p);
	}
}

void weft_ports_close_all(struct weft_service *s)
{
	for (unsigned i = 0; s->ports && i < WEFT_PORTS_MAX; i++)
		if (s->ports->port[i])
			port_free(s, s->ports->port[i]);
	free(s->ports);
	s->ports = NULL;
}

void weft_ports_device_name(struct weft_service *s, const struct weft_port *p,
                            char out[WEFT_TAP_NAME_MAX])
{
	if (p->tap.fd >= 0) {
		snprintf(out, WEFT_TAP_NAME_MAX, "%s", p->tap.name);
		return;
	}
	devicemap_name(s->home, p->nwid, out);
	if (!out[0])
		weft_tap_name_for(p->nwid, 0, out);
}
