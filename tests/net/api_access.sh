# SPDX-License-Identifier: MPL-2.0
# Who may use the local API (service.md §2.2, local.conf settings.allowManagementFrom): weftd
# in namespace srv, a client on an allowed network (ok, 198.18.21.0/24) and one outside it
# (out, 198.18.22.0/24). Without allowManagementFrom the API listens on loopback only; with it
# the allowed client gets 200 with the token and 401 without, the other client 403 whatever
# it presents, and /metrics stays open to any source holding the metrics token.
#
#   [ok] 198.18.21.2 --- 198.18.21.1 [srv] 198.18.22.1 --- 198.18.22.2 [out]
set -u
T_SUITE=net/api_access
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/t.sh"
. "$here/lib.sh"
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
D="$B/weftd"
net_begin
for ns in srv ok out; do net_ns "$ns" || { echo "FAIL $T_SUITE: namespaces"; exit 1; }; done
net_link ok 198.18.21.2/24 srv 198.18.21.1/24
net_link srv 198.18.22.1/24 out 198.18.22.2/24
h="$tmp/home"
mkdir -p "$h"

# code NS URL [curl args]: the HTTP status (000 when nothing listens).
code() {
	local ns=$1 url=$2
	shift 2
	net_exec "$ns" curl -s -o /dev/null --max-time 3 -w '%{http_code}' "$@" "$url"
}
start() {
	net_bg srv "$tmp/weftd.log" "$D" -U -p9993 "$h"
	net_wait 10 net_exec srv curl -sf -o /dev/null http://127.0.0.1:9993/health
}

t_case "without allowManagementFrom the API is on loopback only"
start || t_fail "weftd did not start"
tok=$(cat "$h/authtoken.secret")
t_eq "$(code srv http://127.0.0.1:9993/status -H "X-ZT1-Auth: $tok")" 200 "loopback"
t_eq "$(code ok http://198.18.21.1:9993/status -H "X-ZT1-Auth: $tok")" 000 "nothing listens outside"
net_cleanup_pids() { for p in "${NET_PIDS[@]}"; do kill -TERM "$p"; wait "$p" 2>/dev/null; done; NET_PIDS=(); }
net_cleanup_pids

t_case "allowManagementFrom: allowed network 200/401, others 403 (§2.2)"
printf '{"settings":{"allowManagementFrom":["198.18.21.0/24"]}}' >"$h/local.conf"
start || t_fail "weftd did not start"
mt=$(cat "$h/metricstoken.secret")
t_eq "$(code ok http://198.18.21.1:9993/status -H "X-ZT1-Auth: $tok")" 200 "allowed, token"
t_eq "$(code ok http://198.18.21.1:9993/status)" 401 "allowed, no token"
t_eq "$(code ok http://198.18.21.1:9993/health)" 200 "allowed, /health"
t_eq "$(code out http://198.18.22.1:9993/status -H "X-ZT1-Auth: $tok")" 403 "outside, token"
t_eq "$(code out http://198.18.22.1:9993/health)" 403 "outside, /health"
t_eq "$(code out http://198.18.22.1:9993/network -X POST -d '{}' -H "X-ZT1-Auth: $tok")" 403 \
	"outside, a change"
t_eq "$(code srv http://127.0.0.1:9993/status -H "X-ZT1-Auth: $tok")" 200 "loopback still"
t_eq "$(code out http://198.18.22.1:9993/metrics -H "X-ZT1-Auth: $mt")" 200 \
	"/metrics from anywhere with its token"
t_eq "$(code out http://198.18.22.1:9993/metrics)" 401 "/metrics needs a token"
net_cleanup_pids

t_done
