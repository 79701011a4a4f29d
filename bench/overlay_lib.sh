# shellcheck shell=bash disable=SC2154 # $tmp is the caller's
# SPDX-License-Identifier: MPL-2.0
# bench/overlay_lib: the measurements of bench/overlay.sh, shared by every overlay, and the
# process bookkeeping of its daemons (started, stopped and reaped by PID only). Sourced after
# tests/net/lib.sh; reads the caller's $tmp. Results go to RES[name], printed by ov_report.
OV_PIDS=()
OV_LOGS=()
OV_T=4 # seconds per iperf3 run; no -O, so bytes counted and CPU read cover the same traffic
declare -A RES=()

# ov_bg NS LOG COMMAND...: like net_bg, but the PID goes to OV_PIDS (stopped by ov_stop) and to
# OV_LAST, LOG to OV_LOGS (shown when an overlay fails). `ip netns exec` execs the command, so
# the PID is the daemon's own. Disowned: bash still reaps it, but says nothing when a daemon
# dies by a signal (ZeroTier One aborts on SIGTERM).
ov_bg() {
	local ns="$NET_PREFIX-$1" log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	OV_LAST=$!
	disown "$OV_LAST"
	OV_PIDS+=("$OV_LAST")
	OV_LOGS+=("$log")
}

# ov_stop PID...: TERM, up to 2 s grace, KILL; the PIDs leave OV_PIDS.
ov_stop() {
	local p q keep=()
	for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
	for p in "$@"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$p" 2>/dev/null
	done
	for q in "${OV_PIDS[@]}"; do
		for p in "$@"; do [ "$p" = "$q" ] && continue 2; done
		keep+=("$q")
	done
	OV_PIDS=("${keep[@]}")
}

ov_cleanup() { [ ${#OV_PIDS[@]} -eq 0 ] || ov_stop "${OV_PIDS[@]}"; }

# ov_cpu PID...: utime+stime of the processes (all their threads), in clock ticks.
ov_cpu() {
	local p s f t=0
	for p in "$@"; do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		read -r -a f <<<"${s##*) }" # comm may hold spaces; f[0] is field 3 (state)
		t=$((t + f[11] + f[12]))
	done
	echo "$t"
}

# ov_rss_kb PID...: summed VmRSS in kB.
ov_rss_kb() {
	local p t=0 v
	for p in "$@"; do
		v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# ov_iperf FROM TO IP OUT ARGS...: one iperf3 run, client in FROM, server in TO listening on
# IP; the client's JSON to OUT. Bounded: the server is one-off and killed after the run.
ov_iperf() {
	local from=$1 to=$2 ip=$3 out=$4 srv i
	shift 4
	ov_bg "$to" "$tmp/iperf-srv.log" iperf3 -s -1 -B "$ip" -p 5201
	srv=$OV_LAST
	for ((i = 0; i < 30; i++)); do
		net_exec "$to" ss -Hltn 'sport = :5201' | grep -q . && break
		sleep 0.1
	done
	timeout $((OV_T + 20)) ip netns exec "$NET_PREFIX-$from" \
		iperf3 -c "$ip" -p 5201 -t "$OV_T" -J "$@" >"$out" 2>/dev/null
	ov_stop "$srv"
}

# jget FILE EXPR: a Python expression over the iperf3 JSON `j`; "-" when it does not parse.
jget() {
	python3 -c 'import json,sys
try:
    j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))
except Exception:
    print("-")' "$1" "$2"
}

# ov_ping FROM IP: "avg p99" RTT in ms of 1000 pings 2 ms apart, "- -" without replies. Close
# spacing: with 10 ms between pings the CPUs fall into idle states between them and waking
# from those (about 0.06 ms each way here, raw path included) swamps what the overlay costs.
ov_ping() {
	net_exec "$1" timeout 30 ping -n -c 1000 -i 0.002 -W 1 "$2" 2>/dev/null | python3 -c '
import re, sys
t = sorted(float(m) for m in re.findall(r"time=([0-9.]+)", sys.stdin.read()))
if not t: print("- -"); sys.exit()
print("%.3f %.3f" % (sum(t) / len(t), t[max(0, -(-99 * len(t) // 100) - 1)]))'
}

# ov_measure NAME IP_B PID...: every figure for one overlay between namespaces a (clients) and
# b (servers), b's address on the overlay being IP_B; PIDs are the overlay's daemons (none for
# the raw path); b>a is iperf3 -R. Idle RSS first, then CPU around the three TCP runs, then
# UDP and ping.
ov_measure() {
	local name=$1 ipb=$2 a=a b=b c0 c1 rss=- cpu=- ab ba p4 bytes pps loss rtt f n p cpus=''
	local -A cp0=()
	shift 2
	[ $# -gt 0 ] && rss=$(python3 -c "print('%.1f' % ($(ov_rss_kb "$@") / 1024 / $#))")
	c0=$(ov_cpu "$@")
	for p in "$@"; do cp0[$p]=$(ov_cpu "$p"); done
	ov_iperf "$a" "$b" "$ipb" "$tmp/ab.json"
	ov_iperf "$a" "$b" "$ipb" "$tmp/ba.json" -R
	ov_iperf "$a" "$b" "$ipb" "$tmp/p4.json" -P 4
	c1=$(ov_cpu "$@")
	for p in "$@"; do
		cpus+=" $(cat "/proc/$p/comm" 2>/dev/null):$(($(ov_cpu "$p") - ${cp0[$p]}))"
	done
	ov_iperf "$a" "$b" "$ipb" "$tmp/udp.json" -u -l 64 -b 0
	sleep 1 # the flood's backlog drains before RTT is measured on an idle path
	rtt=$(ov_ping "$a" "$ipb")
	ab=$(jget "$tmp/ab.json" 'round(j["end"]["sum_received"]["bits_per_second"] / 1e6)')
	ba=$(jget "$tmp/ba.json" 'round(j["end"]["sum_received"]["bits_per_second"] / 1e6)')
	p4=$(jget "$tmp/p4.json" 'round(j["end"]["sum_received"]["bits_per_second"] / 1e6)')
	bytes=0
	for f in ab ba p4; do
		n=$(jget "$tmp/$f.json" 'int(j["end"]["sum_received"]["bytes"])')
		[ "$n" = - ] || bytes=$((bytes + n))
	done
	[ $# -gt 0 ] && [ "$bytes" -gt 0 ] &&
		cpu=$(python3 -c "print('%.1f' % (($c1 - $c0) / $(getconf CLK_TCK) / ($bytes / 1e9)))")
	pps=$(jget "$tmp/udp.json" \
		'(lambda s: round(s["bytes"] / 64 / s["seconds"]))(j["end"]["sum_received"])')
	loss=$(jget "$tmp/udp.json" '"%.1f" % j["end"]["sum_received"]["lost_percent"]')
	RES[$name]="$ab $ba $p4 $pps $loss $rtt $cpu $rss"
	echo "overlay: $name measured: ${RES[$name]}; CPU ticks per daemon:${cpus:- none}" >&2
}

# ov_report NAME...: the table, rows in the given order, then each overlay's ratio to weft.
ov_report() {
	local n r w f
	printf '%-16s %8s %8s %8s %9s %6s %7s %7s %8s %7s\n' overlay "a>b" "b>a" "-P4" \
		"udp64" "loss" "rtt" "rtt" "cpu s" "idle" "" "Mbit/s" "Mbit/s" "Mbit/s" \
		"pkt/s" "%" "avg ms" "p99 ms" "per GB" "RSS MB"
	for n in "$@"; do
		r=${RES[$n]:-not run}
		case $r in
		not* | failed*) printf '%-16s %s\n' "$n" "$r" ;;
		*)
			read -r -a f <<<"$r"
			printf '%-16s %8s %8s %8s %9s %6s %7s %7s %8s %7s\n' "$n" "${f[@]}"
			;;
		esac
	done
	w=${RES[weft]:-}
	case $w in not* | failed* | "") return ;; esac
	echo
	echo "ratio to weft (throughput and packet rate; >1 = faster than weft):"
	printf '%-16s %8s %8s %8s %9s\n' overlay "a>b" "b>a" "-P4" "udp64"
	for n in "$@"; do
		r=${RES[$n]:-not run}
		case $r in not* | failed*) continue ;; esac
		python3 -c '
import sys
def q(x, y):
    try: return "%.2f" % (float(x) / float(y))
    except (ValueError, ZeroDivisionError): return "-"
r, w = sys.argv[2].split(), sys.argv[3].split()
print("%-16s %8s %8s %8s %9s" % ((sys.argv[1],) + tuple(q(r[i], w[i]) for i in range(4))))' \
			"$n" "$r" "$w"
	done
	r=${RES["raw path"]:-}
	case $r in not* | failed* | "") return ;; esac
	echo
	echo "rtt overhead over the raw path (ms; avg and p99 minus the raw path's):"
	for n in "$@"; do
		r=${RES[$n]:-not run}
		case $r in not* | failed*) continue ;; esac
		[ "$n" = "raw path" ] && continue
		python3 -c '
import sys
r, w = sys.argv[2].split(), sys.argv[3].split()
def d(i):
    try: return "%.3f" % (float(r[i]) - float(w[i]))
    except ValueError: return "-"
print("%-16s %8s %8s" % (sys.argv[1], d(5), d(6)))' "$n" "$r" "${RES["raw path"]}"
	done
}
