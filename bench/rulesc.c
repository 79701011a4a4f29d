// SPDX-License-Identifier: MPL-2.0
// Rules language compiler cost (rules-language.md): CPU time to compile a generated 5,000-rule
// source (mixed matches, tags, a capability, a macro), per 1,000 rules, best of RUNS; beside it
// the time jansson takes to parse the resulting JSON, as a yardstick.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rulesc.h"

#define N_RULES 5000
#define RUNS    7

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// One rule of several shapes, picked by i; appends to b at *n.
static void gen_rule(char *b, size_t cap, size_t *n, int i)
{
	static const char *const shapes[] = {
	    "accept ipprotocol tcp and dport %d;\n",
	    "drop not ethertype ipv4 and not ethertype arp and not ethertype ipv6 and vlan %d;\n",
	    "accept ipsrc 10.%d.0.0/16 or ipdest fd00::%x/64;\n",
	    "tee 128 beefbeef01 chr tcp_syn,tcp_ack and sport %d-65535;\n",
	    "drop macsrc 02:00:00:00:%02x:01 and teq role admin and tdiff dept %d;\n",
	    "accept icmp 8 -1 or iptos 0xfc %d;\n",
	    "include allow(%d)\n",
	    "break ztsrc 00000%05x and random 0.25;\n",
	};
	*n += (size_t)snprintf(b + *n, cap - *n, shapes[i % 8], 1 + i % 250);
}

int main(void)
{
	size_t cap = (size_t)N_RULES * 128 + 4096, n = 0;
	char *src = malloc(cap), err[256], *text = NULL;
	double best_c = 1e9, best_p = 1e9;
	size_t n_out = 0;
	if (!src)
		return 1;
	n += (size_t)snprintf(src + n, cap - n,
	                      "tag role id 100 enum 1 admin enum 2 user flag 0 a flag 1 b;\n"
	                      "tag dept id 200 default 0;\n"
	                      "macro allow($p) accept ipprotocol udp and dport $p; ;\n"
	                      "cap ssh id 1000 accept ipprotocol tcp dport 22; ;\n");
	for (int i = 0; i < N_RULES; i++)
		gen_rule(src, cap, &n, i);
	for (int r = 0; r < RUNS; r++) {
		double t0 = cpu_s(), t1, t2;
		json_t *out = weft_rulesc_compile(src, n, "bench", err, sizeof err), *back;
		t1 = cpu_s();
		if (!out) {
			fprintf(stderr, "rulesc bench: %s\n", err);
			return 1;
		}
		if (!text) {
			text = json_dumps(json_object_get(out, "config"), JSON_COMPACT);
			n_out = json_array_size(
			    json_object_get(json_object_get(out, "config"), "rules"));
		}
		json_decref(out);
		t1 = t1 - t0;
		t0 = cpu_s();
		back = json_loads(text, 0, NULL);
		t2 = cpu_s() - t0;
		json_decref(back);
		best_c = t1 < best_c ? t1 : best_c;
		best_p = t2 < best_p ? t2 : best_p;
	}
	printf("rulesc: %d source rules (%zu bytes) -> %zu rule objects\n", N_RULES, n, n_out);
	printf("  compile          %8.3f ms per 1,000 rules  (%.2f ms total, best of %d)\n",
	       best_c * 1e3 * 1000 / N_RULES, best_c * 1e3, RUNS);
	printf("  json_loads(out)  %8.3f ms per 1,000 rules  ratio compile/parse %.2f\n",
	       best_p * 1e3 * 1000 / N_RULES, best_c / best_p);
	free(text);
	free(src);
	return 0;
}
