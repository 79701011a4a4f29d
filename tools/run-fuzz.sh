#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time: `tools/run-fuzz.sh SECONDS BINARY...`.
# Corpora live in fuzz-corpus/<name>/ (kept between runs), crash inputs in fuzz-corpus/crashes/,
# libFuzzer's output in fuzz-corpus/logs/<name>.log. Prints one line per target; exits non-zero
# if any target crashed (or is missing), showing the finding and the project's stack frames.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 SECONDS BINARY..." >&2
	exit 2
fi
seconds=$1
shift

# Binaries are given relative to the caller's directory; corpora go under the repository root.
bins=()
for b in "$@"; do
	case $b in
	/*) bins+=("$b") ;;
	*) bins+=("$PWD/$b") ;;
	esac
done
cd "$(dirname "$0")/.." || exit 2
mkdir -p fuzz-corpus/crashes fuzz-corpus/logs

max_len_for() {
	case $1 in
	identity) echo 400 ;;
	gso) echo 66000 ;; # whole TCP super-packets
	*) echo 12000 ;;
	esac
}

hex128() { # 128 hex digits from a repeated pattern
	local s=""
	while [ ${#s} -lt 128 ]; do s+=$1; done
	printf '%s' "${s:0:128}"
}

# A few hand-made seeds, rewritten each run so they stay in the corpus; the targets' round-trip
# modes produce valid inputs of their own.
seed() { # name, dir
	local name=$1 dir=$2
	case $name in
	identity)
		printf '%s' "89e92ceee5:0:$(hex128 0123456789abcdef)" >"$dir/seed-public"
		printf '%s' "89e92ceee5:0:$(hex128 fedcba9876543210):$(hex128 00ff)" >"$dir/seed-secret"
		{ printf '\x89\xe9\x2c\xee\xe5\x00'; head -c 64 /dev/zero; printf '\x00'; } >"$dir/seed-bin"
		;;
	disarm)
		for c in 00 01 02 03 0b 0f 13; do
			{ printf '%b' "\\x$c"; head -c 200 /dev/zero | tr '\0' 'a'; } >"$dir/seed-$c"
		done
		;;
	fragment)
		{ printf '\x01\x20'; head -c 8 /dev/zero; head -c 4000 /dev/zero | tr '\0' 'x'; } \
			>"$dir/seed-roundtrip"
		{ printf '\x07\x00\x01\x02\x03\x04\x05\x06\x07\x08'; head -c 9000 /dev/zero | tr '\0' 'y'; } \
			>"$dir/seed-roundtrip-dup"
		{ printf '\x01\x00'; head -c 8 /dev/zero; head -c 10000 /dev/zero | tr '\0' 'z'; } \
			>"$dir/seed-roundtrip-8"                       # 8 pieces at MTU 1400
		printf '\x00\x01\x07\x00\x00\x02\x07\x21\x00\x00\x01\x08\x00\x00\x02\x08\x31\x00\x00' \
			>"$dir/seed-stream"
		printf '\x02\x08\x32\x00\x00\xfb\x00\x07\x00' >>"$dir/seed-stream"
		printf '\x00\x03\x28' >"$dir/seed-evict"                         # 40 heads
		printf '\x00\x01\x09\xa7\x00\x02\x09\x21\x81\x00' >"$dir/seed-toobig" # 9984 + 240
		printf '\x00\x01\x0a\x83\x00\x02\x0a\x21\xc0\x01' >"$dir/seed-exact" # 768 + rest
		;;
	controller_request) # op, member, how, metadata length (LE16), metadata; op 4/5: JSON body
		local meta='v=7\nvend=1\npv=c\nmajv=1\nminv=e\nrevv=1\nrevr=1\na=token:secret'
		{ printf '\x00\x00\x00\x3a\x00'; printf "$meta"; printf '\x00\x01\x20\x00\x00'
		  printf '\x00\x02\x00\x3a\x00'; printf "$meta"; printf '\x00\x03\x10\x00\x00'
		  printf '\x00\x05\x00\x00\x00\x06\x01\x00\x06\x00\x00\x00'; } >"$dir/seed-requests"
		{ printf '\x04\x02\x3a\x00{"authorized":true,"ipAssignments":["10.0.0.7","fd00::7"]}'
		  printf '\x00\x02\x00\x00\x00'; } >"$dir/seed-member"
		{ printf '\x05\x00\x43\x00{"private":false,"tags":[{"id":3,"default":1}],"mtu":1400,"dns":{}}'
		  printf '\x00\x07\x02\x00\x00'; } >"$dir/seed-network"
		;;
	dev_mcast)
		{ printf '\x00\x05'
		  printf '1    zt0             1     0     01005e000001\n'
		  printf '2    eth0            1     0     333300000001\n'; } >"$dir/seed-proc"
		;;
	decompress)
		{ head -c 30 /dev/zero; printf '\x80\x1f\x61\x01\x00\x50\x50\x61\x61\x61\x61\x61'; } \
			>"$dir/seed-lz4"
		{ printf '\x03\x00\x00\x00\x10\x01'; head -c 500 /dev/zero | tr '\0' 'a'; } \
			>"$dir/seed-damaged"
		;;
	vl2) # setup byte, then records: op | sel | length (LE16) | body, or op | args (tests/fuzz/vl2.c)
		local udp='\x45\x00\x00\x1c\x00\x00\x00\x00\x40\x11\x00\x00\x0a\x00\x00\x02\x0a\x00\x00\x01'
		udp+='\x00\x35\x00\x35\x00\x08\x00\x00'
		local arp='\x00\x01\x08\x00\x06\x04\x00\x01\x02\x02\x02\x02\x02\x02\x0a\x00\x00\x02'
		arp+='\x00\x00\x00\x00\x00\x00\x0a\x00\x00\x01'
		local cred='\x10\x02\x07\x00' next='\x05\xe9\x03' # NETWORK_CREDENTIALS; 1001 ms pass
		# The member pushed its credentials: FRAME, and EXT_FRAME asking for an OK.
		printf "\x04\x10\x00\x1e\x00\x08\x00$udp\x10\x01\x21\x00\x10\x00\x01\x08\x00$udp" \
			>"$dir/seed-frame"
		# Credentials of every kind, revocations flooded, a damaged set.
		printf "\x00$cred\x03\x07\x0f\x00\x03\x00\x00$next$cred\x00\x00\x00\x05\x00\x00\x00" \
			>"$dir/seed-creds"
		printf "$next$cred\xff\xff\xff\xff\xff\x00\x00$next$cred\x01\x00\x00\x00\x00\x01\x05" \
			>>"$dir/seed-creds"
		# LIKE and GATHER from the member (we subscribe), GATHER from the controller.
		printf '\x14\x10\x03\x12\x00\x00\x03\x00\x00\x00\x00\x00\x04\x00\x00\x00\x01\x00' \
			>"$dir/seed-like"
		printf '\x05\x00\x00\x00\x00\x10\x04\x0a\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00' \
			>>"$dir/seed-like"
		printf '\x10\x18\x04\x0a\x00\x01\x03\x00\x00\x00\x00\x00\x00\x00\x10' >>"$dir/seed-like"
		# MULTICAST_FRAME with implicit gather, then one from the controller held at the gate.
		printf "\x04\x10\x05\x29\x00\x06\x00\x00\x00\x08\x01\x03\x00\x00\x00\x00\x08\x06$arp" \
			>"$dir/seed-mcframe"
		printf "\x18\x05\x28\x00\x02\x00\x00\x00\x04\x03\x00\x00\x00\x00\x08\x06$arp" \
			>>"$dir/seed-mcframe"
		# Local port: ARP, NDP for RFC4193 and 6PLANE, IPv4 to the member, broadcast; the
		# OKs to our GATHER and MULTICAST_FRAME; ERROR(NEED_MEMBERSHIP_CERTIFICATE).
		printf "\x04\x03\x10\x00\x00\x03\x20\x00\x00\x03\x40\x00\x00\x03\x31\x1c\x00$udp" \
			>"$dir/seed-local"
		printf "\x03\x03\x1e\x00\x08\x00$udp\x03\x01\x1e\x00\x08\x00$udp" >>"$dir/seed-local"
		printf '\x10\x06\x0d\x00\x03\x00\x00\x00\x00\x03\x00\x00\x00\x03\x00\x01\x04' \
			>>"$dir/seed-local"
		printf '\x10\x17\x0d\x00\x02\x03\x00\x00\x00\x00\x02\x00\x00\x00\x02\x00\x04' \
			>>"$dir/seed-local"
		printf '\x18\x08\x02\x00\x00\x00' >>"$dir/seed-local"
		# Public network with bridges: bridged frames in and out, a subscription, timers.
		printf "\x01\x10\x01\x21\x00\x00\x03\x06\x08\x00$udp\x03\x0b\x1e\x00\x08\x00$udp" \
			>"$dir/seed-bridge"
		printf "\x03\x0e\x1e\x00\x08\x00$udp\x04\x04\x00\x00\x00\x07\x0d\xbc\x02\x0d\xbc\x02" \
			>>"$dir/seed-bridge"
		# Strict rules (redirect, drop), then a rejoin into the first configuration.
		{ printf "\x0e\x10\x00\x1e\x00\x08\x00$udp\x03\x31\x1c\x00$udp\x03\x10\x00\x00\x06"
		  printf '\x10\x02\x07\x00\x01\x01\x01\x00\x01\x00\x00\x10\x00\x2a\x00\x86\xdd\x60'
		  head -c 39 /dev/zero; } >"$dir/seed-strict"
		# Subscribers learned from LIKEs, then our ARP and multicast reach them.
		printf '\x04\x10\x03\x0c\x00\x00\x03\x0a\x00\x00\x02\x00\x04\x00\x00\x00\x00' \
			>"$dir/seed-subscribers"
		printf "\x03\x10\x00\x00\x03\x04\x1e\x00\x08\x00$udp" >>"$dir/seed-subscribers"
		# A bridged MULTICAST_FRAME on the public network; multicast disabled on the last one.
		printf "\x01\x10\x05\x25\x00\x04\x06\x03\x00\x00\x00\x00\x08\x00$udp" >"$dir/seed-bridged"
		printf "\x07\x10\x00\x1e\x00\x08\x00$udp\x10\x05\x24\x00\x00\x03\x00\x00\x00\x00\x08\x06$arp" \
			>"$dir/seed-nomc"
		;;
	localconf) # local.conf text: service.md's example with every kind of entry
		printf '%s' '{"physical":{"10.0.0.0/24":{"blacklist":true},"192.168.10.0/24":
{"trustedPathId":101010,"mtu":1400}},"virtual":{"89e92ceee5":{"try":["203.0.113.7/9993"],
"blacklist":["10.0.0.0/8"]}},"settings":{"primaryPort":9993,"allowTcpFallbackRelay":true,
"bind":["127.0.0.1","::1"],"interfacePrefixBlacklist":["docker","veth"],
"allowManagementFrom":["192.168.1.0/24","fd00::/8"],"controllerDbPath":"/x",
"tcpFallbackRelay":"192.0.2.1/443","concurrency":2}}' >"$dir/seed-example"
		;;
	esac
}

# UBSan findings end the run instead of printing and carrying on, so libFuzzer records them.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
for bin in "${bins[@]}"; do
	name=$(basename "$bin")
	corpus=fuzz-corpus/$name
	log=fuzz-corpus/logs/$name.log
	if [ ! -x "$bin" ]; then
		printf '  fuzz %-12s missing: %s\n' "$name" "$bin"
		failed=1
		continue
	fi
	mkdir -p "$corpus"
	seed "$name" "$corpus"
	"$bin" -max_total_time="$seconds" -max_len="$(max_len_for "$name")" -rss_limit_mb=2048 \
		-timeout=10 -print_final_stats=1 -artifact_prefix="fuzz-corpus/crashes/$name-" \
		"$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ -z "$execs" ]; then
		execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
	fi
	files=$(find "$corpus" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		printf '  fuzz %-12s %10s execs  %5d corpus  ok\n' "$name" "${execs:-?}" "$files"
	else
		printf '  fuzz %-12s %10s execs  %5d corpus  CRASH (exit %d)\n' "$name" "${execs:-?}" \
			"$files" "$rc"
		# The finding, the project's own stack frames, and where the input was saved.
		{
			grep -m 1 -E 'ERROR:|check failed|runtime error|deadly signal' "$log"
			grep -E '^ *#[0-9]+ .* in .*/(core|tests|include)/' "$log" | head -n 8 |
				sed -E 's/^ *(#[0-9]+) 0x[0-9a-f]+ in /\1 /'
			grep -m 1 'Test unit written' "$log" | sed 's/.*Test unit written to /input: /'
		} | sed 's/^/    /'
		echo "    full log: $log"
		failed=1
	fi
done
exit $failed
