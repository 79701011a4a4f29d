// SPDX-License-Identifier: MPL-2.0
// `weft dump`: a support report of /status, /network, /peer, local.conf and the machine's
// interfaces, written to zerotier_dump.txt in the current directory (service.md §3.2.4; the
// name is kept so support instructions written for zerotier-cli still find it).
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "fs.h"
#include "http_client.h"
#include "weft/weft.h"

#define MAX_IFACES 64

// Appends one API body under its heading; false (message printed) when it is not a 200.
static bool add_section(struct weft_cli_api *a, FILE *out, const char *title, const char *path,
                        int *rc)
{
	struct weft_http_reply reply;
	if ((*rc = weft_cli_api_send(a, "GET", path, NULL, &reply)))
		return false;
	if (reply.status != 200) {
		printf("%u %s %s\n", reply.status, a->cmd, reply.body);
		free(reply.body);
		*rc = 1;
		return false;
	}
	fprintf(out, "%s%s\n%.*s\n%s\n", strcmp(title, "status") ? "\n" : "", title,
	        (int)strlen(title), "--------------------", reply.body);
	free(reply.body);
	return true;
}

static void add_local_conf(FILE *out, const char *home)
{
	char path[4200];
	size_t len = 0;
	snprintf(path, sizeof path, "%s/local.conf", home);
	char *text = weft_fs_read(path, 1u << 20, &len);
	fprintf(out, "\nlocal.conf\n----------\n");
	if (text && len)
		fprintf(out, "%.*s\n", (int)len, text);
	else
		fprintf(out, "None Present\n");
	free(text);
}

static void add_mtu(FILE *out, int sock, const char *name)
{
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (sock >= 0 && ioctl(sock, SIOCGIFMTU, &ifr) == 0)
		fprintf(out, "MTU: %d\n", ifr.ifr_mtu);
}

// Non-loopback interfaces with their MTU, MAC and addresses.
static void add_interfaces(FILE *out)
{
	struct ifaddrs *all, *i, *j;
	const char *seen[MAX_IFACES];
	unsigned n = 0;
	fprintf(out, "\nNetwork Interfaces\n------------------\n\n");
	if (getifaddrs(&all) != 0)
		return;
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (i = all; i && n < MAX_IFACES; i = i->ifa_next) {
		bool dup = false;
		for (unsigned k = 0; k < n; k++)
			dup |= !strcmp(seen[k], i->ifa_name);
		if (dup || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		seen[n] = i->ifa_name;
		fprintf(out, "Interface %u\n-----------\nName: %s\n", n++, i->ifa_name);
		add_mtu(out, sock, i->ifa_name);
		for (j = all; j; j = j->ifa_next) {
			if (strcmp(j->ifa_name, i->ifa_name) || !j->ifa_addr ||
			    j->ifa_addr->sa_family != AF_PACKET)
				continue;
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)j->ifa_addr;
			if (ll->sll_halen == 6)
				fprintf(out, "MAC: %02x:%02x:%02x:%02x:%02x:%02x\n",
				        ll->sll_addr[0], ll->sll_addr[1], ll->sll_addr[2],
				        ll->sll_addr[3], ll->sll_addr[4], ll->sll_addr[5]);
		}
		fprintf(out, "Addresses: \n");
		for (j = all; j; j = j->ifa_next) {
			char text[INET6_ADDRSTRLEN];
			if (strcmp(j->ifa_name, i->ifa_name) || !j->ifa_addr)
				continue;
			int fam = j->ifa_addr->sa_family;
			const void *ip =
			    fam == AF_INET
			        ? (const void *)&((struct sockaddr_in *)j->ifa_addr)->sin_addr
			    : fam == AF_INET6
			        ? (const void *)&((struct sockaddr_in6 *)j->ifa_addr)->sin6_addr
			        : NULL;
			if (ip && inet_ntop(fam, ip, text, sizeof text))
				fprintf(out, "%s\n", text);
		}
		fprintf(out, "\n");
	}
	if (sock >= 0)
		close(sock);
	freeifaddrs(all);
}

int weft_cli_dump(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	char *text = NULL, cwd[4096], path[4200];
	size_t len = 0;
	int rc = weft_cli_api_parse(&a, argv0, argc, argv);
	if (rc >= 0)
		return rc;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return 1;
	fprintf(out, "platform: Linux\nweft version: %s\n\n", WEFT_VERSION_STRING);
	bool ok = add_section(&a, out, "status", "/status", &rc) &&
	          add_section(&a, out, "networks", "/network", &rc) &&
	          add_section(&a, out, "peers", "/peer", &rc);
	if (ok) {
		add_local_conf(out, a.home);
		add_interfaces(out);
	}
	fclose(out);
	if (ok) {
		if (!getcwd(cwd, sizeof cwd))
			snprintf(cwd, sizeof cwd, ".");
		snprintf(path, sizeof path, "%s/zerotier_dump.txt", cwd);
		printf("Writing dump to: %s\n", path);
		if (weft_fs_write_atomic(path, text, len, 0600) != 0) {
			fprintf(stderr, "%s: cannot write %s\n", argv0, path);
			rc = 1;
		}
	}
	free(text);
	return ok ? rc : rc ? rc : 1;
}
