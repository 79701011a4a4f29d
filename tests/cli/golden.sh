# SPDX-License-Identifier: MPL-2.0
# Golden outputs of the `weft` CLI against a weftd in a known state (service.md §3.2): a fixed
# identity, a planet whose root is never reached, UDP bound to loopback only (nothing leaves
# this machine), one network of this node's own controller (configured: name, IPv4 from the
# controller, RFC4193 and 6PLANE) and one whose controller does not exist. Every command's text
# and -j output, get/set, bad arguments (usage, exit codes), `weftd -q` / `weftd -i`, and the
# one-line message when weftd cannot be reached are compared with tests/golden/cli/session.txt.
# Values that change from run to run (clock, ports, home path, the multicast snapshot) are
# masked first. GOLDEN_UPDATE=1 rewrites the golden file instead of comparing.
# Needs root and /dev/net/tun for the network's TAP; reports NOT COVERED without them.
set -u
T_SUITE=cli/golden
. "$(dirname "$0")/../lib/t.sh"
here=$(cd "$(dirname "$0")/.." && pwd)
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
D="$B/weftd"
W="$B/weft"
G="$here/golden/cli"
[ -x "$D" ] && [ -x "$W" ] || { echo "FAIL $T_SUITE: $D or $W not built"; exit 1; }
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	t_skip_all "golden CLI session (needs root and /dev/net/tun)"
fi
for x in curl python3; do
	command -v $x >/dev/null || { echo "FAIL $T_SUITE: needs $x"; exit 1; }
done
. "$here/lib/weftd.sh"
weftd_setup /tmp/golden-weftd.log
mkdir -p "$home"
cp "$G/node.secret" "$home/identity.secret"
cp "$G/node.public" "$home/identity.public"
addr=$(cut -c1-10 "$G/node.public")
# A planet naming a root at a loopback address: loopback paths are refused, so nothing is sent.
"$W" idtool initplanet "$G/root.public" >"$tmp/planet.json"
sed -i 's|"stableEndpoints": \[\]|"stableEndpoints": ["127.0.0.1/9"]|' "$tmp/planet.json"
"$W" idtool genplanet "$tmp/planet.json" "$home/planet" >/dev/null
printf '{"settings":{"bind":["127.0.0.1"],"allowSecondaryPort":false}}' >"$home/local.conf"
weftd_start

OWN=${addr}000001
ABSENT=8056c2e21c000002
weftd_req POST "/controller/network/$OWN" '{"name":"golden","private":true,
	"v4AssignMode":{"zt":true},"v6AssignMode":{"rfc4193":true,"6plane":true,"zt":false},
	"routes":[{"target":"10.147.17.0/24"}]}'
t_eq "$code" 200 "create the own network"
weftd_req POST "/controller/network/$OWN/member/$addr" \
	'{"authorized":true,"ipAssignments":["10.147.17.5"]}'
t_eq "$code" 200 "authorize this node"
"$W" -D"$home" join $OWN >/dev/null
"$W" -D"$home" join $ABSENT >/dev/null
for _ in $(seq 100); do
	[ "$("$W" -D"$home" get $OWN status 2>/dev/null)" = OK ] && break
	sleep 0.1
done

out="$tmp/session.txt"
: >"$out"
# Masks what differs between runs; JSON arrays named in the awk part are collapsed.
normalize() {
	sed -E -e "s|$home|HOME|g" -e "s|$W|weft|g" -e "s|$D|weftd|g" -e "s|$G|GOLDEN|g" \
		-e 's/"(clock|primaryPort|planetWorldId|planetWorldTimestamp|netconfRevision)": ?-?[0-9]+/"\1": N/g' \
		-e 's/"multicastSubscriptions": ?\[[^]]*\]/"multicastSubscriptions": [...]/g' |
		awk '/"multicastSubscriptions": \[$/ { sub(/\[$/, "[...]"); head = $0; skip = 1; next }
		     skip && /^ *\],?$/ { print head (/,$/ ? "," : ""); skip = 0; next }
		     !skip { print }'
}
# run PROGRAM ARGS...: appends the command, its stdout, its stderr (marked) and exit status.
run() {
	local prog=$1
	shift
	echo "\$ ${prog##*/} $*" | normalize >>"$out"
	"$prog" "$@" >"$tmp/o" 2>"$tmp/e"
	local rc=$?
	normalize <"$tmp/o" >>"$out"
	[ -z "$(tail -c1 "$tmp/o")" ] || echo "<no newline>" >>"$out"
	[ -s "$tmp/e" ] && normalize <"$tmp/e" | sed 's/^/stderr: /' >>"$out"
	echo "[exit $rc]" >>"$out"
}
H="-D$home"

t_case "the session's outputs match tests/golden/cli/session.txt"
run "$W" "$H" info
run "$W" "$H" status -j
run "$W" "$H" listpeers
run "$W" "$H" peers
run "$W" "$H" -j listpeers
run "$W" "$H" listnetworks
run "$W" "$H" listnetworks -j
for p in ip ip4 ip6 ip6plane ip6prefix name status type mtu allowManaged bridge nosuch routes; do
	run "$W" "$H" get $OWN $p
done
run "$W" "$H" get 0000000000000099 name
run "$W" "$H" set $OWN allowGlobal=1
run "$W" "$H" get $OWN allowGlobal
run "$W" "$H" set $OWN allowGlobal=false
run "$W" "$H" set $OWN notASetting=1
run "$W" "$H" listmoons
run "$W" "$H" /network/$ABSENT
run "$W" "$H" /nothere
run "$W" "$H" leave $ABSENT
run "$W" "$H" -j leave $ABSENT
run "$W" "$H" orbit 0 0
run "$W" "$H" deorbit 1234567890
run "$D" -q "$H" info
run "$D" -q "$H" -j get $OWN name
run "$D" -i getpublic "$G/node.secret"
run "$W" idtool validate "$G/node.public"

t_case "bad arguments: usage or the reference's message, and its exit status"
run "$W" "$H" join 1234
run "$W" "$H" leave
run "$W" "$H" set $OWN
run "$W" "$H" set 12 allowGlobal=1
run "$W" "$H" set $OWN allowGlobal
run "$W" "$H" get $OWN
run "$W" "$H" frobnicate
run "$W"
run "$W" -p0 info
run "$W" -jx info
run "$W" -v
run "$W" -p9 -Tnothing info
run "$W" -p9 -Tnothing join $OWN
run "$W" -D/nonexistent info
if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
	cp "$out" "$G/session.txt"
	echo "golden: wrote $G/session.txt"
fi
if ! diff -u "$G/session.txt" "$out" >"$tmp/diff"; then
	t_fail "differs from the golden session:"
	head -n 80 "$tmp/diff"
fi

t_case "dump writes zerotier_dump.txt with every section"
(cd "$tmp" && "$W" "$H" dump) >"$tmp/dumpout"
t_eq "$(cat "$tmp/dumpout")" "Writing dump to: $tmp/zerotier_dump.txt" "message"
for s in "platform: Linux" "status" "networks" "peers" "local.conf" "Network Interfaces"; do
	t_check "section $s" grep -qx "$s" "$tmp/zerotier_dump.txt"
done
t_check "local.conf content" grep -q '"bind"' "$tmp/zerotier_dump.txt"
t_check "status body" grep -q "\"address\":\"$addr\"" "$tmp/zerotier_dump.txt"

weftd_stop
t_done
