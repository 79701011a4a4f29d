// SPDX-License-Identifier: MPL-2.0
// Hosts the embedded controller in weftd: its records in HOME/controller.d (service.md §1.5),
// loaded once the node's address is known; its diagnostics go to weftd's log.
#include <stdio.h>

#include "controller.h"
#include "log.h"
#include "random.h"
#include "service.h"

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	weft_log(WEFT_LOG_WARN, "%s", msg);
}

void weft_service_controller_open(struct weft_service *s)
{
	char dir[4200];
	struct weft_store store;
	struct weft_controller_env env = {
	    .address = weft_node_address(s->node),
	    .random = weft_os_random,
	    .log = log_line,
	};
	snprintf(dir, sizeof dir, "%s/controller.d", s->home);
	enum weft_result r = weft_store_fs_open(&store, dir);
	if (r == WEFT_OK)
		r = weft_controller_new(&s->controller, &env, store);
	if (r != WEFT_OK)
		weft_log(WEFT_LOG_ERROR,
		         "controller: %s cannot be used (%s); /controller answers 503", dir,
		         weft_result_str(r));
}

void weft_service_controller_close(struct weft_service *s)
{
	weft_controller_free(s->controller);
	s->controller = NULL;
}
