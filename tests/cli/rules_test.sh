# SPDX-License-Identifier: MPL-2.0
# `weft rules test` as a real process: `--case` reproduces every case of rules_eval.json; every
# vector frame, described instead of given in hex, is rebuilt byte for byte with the same
# verdict and copies; golden outputs of tests/golden/rules/*.txt against policy.json there;
# bad descriptions name the token and exit 2.
set -u
T_SUITE=cli/rules_test
. "$(dirname "$0")/../lib/t.sh"
W="$(cd "${WEFT_BUILD:-build}" && pwd)/weft"
[ -x "$W" ] || { echo "FAIL $T_SUITE: $W not built"; exit 1; }
VEC=$(cd "${VECTORS:-../shared/vectors}" && pwd)
GOLDEN=$(cd "$(dirname "$0")/../golden/rules" && pwd)
command -v python3 >/dev/null || t_skip_all "python3 not installed" 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each case with its scenario into its own file, the expected result beside it.
python3 - "$VEC/rules_eval.json" "$tmp" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
sc = {s["name"]: s for s in j["scenarios"]}
for i, c in enumerate(j["cases"]):
    json.dump({"scenario": sc[c["scenario"]], "case": c}, open(f"{sys.argv[2]}/case{i:03d}.json", "w"))
    json.dump(c["result"], open(f"{sys.argv[2]}/case{i:03d}.exp", "w"))
PY

same_json() {
	python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1]) != json.load(open(sys.argv[2])))' "$1" "$2"
}

n=0 ok=0
for f in "$tmp"/case*.json; do
	t_case "--case $(basename "$f" .json)"
	n=$((n + 1))
	out=$("$W" rules test --case "$f")
	if same_json "$out" "${f%.json}.exp"; then ok=$((ok + 1)); else t_fail "got $out"; fi
done
echo "# --case reproduced $ok of $n rules_eval.json cases"
t_case "--case covers the whole vector file"
[ "$n" -gt 0 ] || t_fail "no cases"

# Described vector frames: the policy as the controller writes it (rules, the capabilities of
# the side whose pipeline runs), the same tags, addresses and direction.
grep -v '^#' "$GOLDEN/vectors.txt" | while IFS=$'\t' read -r idx desc; do
	python3 - "$VEC/rules_eval.json" "$idx" "$tmp/p$idx" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
c = j["cases"][int(sys.argv[2])]
s = [x for x in j["scenarios"] if x["name"] == c["scenario"]][0]
m = [x for x in s["remote_members"] if x["address"] == c["remote_address"]][0]
inb = c["direction"] == "inbound"
caps = m["capabilities"] if inb else s["local_capabilities"]
pol = {"rules": [r["controller_json"] for r in s["rules"]],
       "capabilities": [{"id": k["id"], "rules": [r["controller_json"] for r in k["rules"]]} for k in caps]}
json.dump(pol, open(sys.argv[3] + ".json", "w"))
tags = lambda ts: ",".join(f"{t['id']}={t['value']}" for t in ts)
args = ["--inbound" if inb else "--outbound", "--me", c["local_address"], "--peer", c["remote_address"],
        "--flags", s["flags"], "--local-tags", tags(s["local_tags"]), "--remote-tags", tags(m["tags"]),
        "--caps", ",".join(str(k["id"]) for k in caps)]
open(sys.argv[3] + ".args", "w").write("\n".join(args) + "\n")
f = c["frame"]
exp = {"frame": f["dest_mac"] + f["source_mac"] + "%04x" % f["ethertype"] + f["payload"],
       "verdict": c["result"]["verdict"].upper().replace("-", "_"),
       "copies": [[x["to"], x["ext_frame_flags"], x["copied_length"]] for x in c["result"]["forwarded"]]}
json.dump(exp, open(sys.argv[3] + ".exp", "w"))
PY
	mapfile -t args <"$tmp/p$idx.args"
	# shellcheck disable=SC2086 # the description is words
	"$W" rules test -j --rules "$tmp/p$idx.json" "${args[@]}" $desc >"$tmp/p$idx.out" 2>&1
	echo "$idx $? $desc"
done >"$tmp/described"
while read -r idx rc desc; do
	t_case "described vector frame $idx: $desc"
	[ "$rc" = 0 ] || { t_fail "exit $rc: $(cat "$tmp/p$idx.out")"; continue; }
	python3 - "$tmp/p$idx.out" "$tmp/p$idx.exp" <<'PY' || t_fail "$(cat "$tmp/p$idx.why")"
import json, sys
o = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
got = {"frame": o["frame"], "verdict": o["verdict"],
       "copies": [[x["to"], x["extFrameFlags"], x["length"]] for x in o["copies"]]}
bad = [f"{k}: got {got[k]}, expected {e[k]}" for k in e if got[k] != e[k]]
open(sys.argv[1].replace(".out", ".why"), "w").write("; ".join(bad))
sys.exit(1 if bad else 0)
PY
done <"$tmp/described"

# Golden outputs: the first line is the command (split at spaces, not by a shell), the rest
# its output (stdout and stderr) and `[exit N]`.
for g in "$GOLDEN"/*.txt; do
	case $(basename "$g") in vectors.txt) continue ;; esac
	t_case "golden $(basename "$g" .txt)"
	read -r -a cmd <"$g"
	[ "${cmd[0]} ${cmd[1]}" = '$ weft' ] || { t_fail "first line is not '\$ weft ...'"; continue; }
	got=$(cd "$GOLDEN" && { "$W" "${cmd[@]:2}" 2>&1; echo "[exit $?]"; })
	exp=$(tail -n +2 "$g")
	[ "$got" = "$exp" ] || t_fail "$(diff <(echo "$exp") <(echo "$got") | head -20)"
done

t_case "one quoted description, and 'to' for '->', give the same answer"
P=$GOLDEN/policy.json
a=$("$W" rules test --rules "$P" tcp syn 10.0.0.1:40000 '->' 10.0.0.2:22)
t_eq "$("$W" rules test --rules "$P" 'tcp syn 10.0.0.1:40000 -> 10.0.0.2:22')" "$a" "quoted"
t_eq "$("$W" rules test --rules "$P" tcp syn 10.0.0.1:40000 to 10.0.0.2:22)" "$a" "to"

t_case "usage and help"
"$W" rules test --help | grep -q '^Usage: weft rules test' || t_fail "--help"
"$W" rules test >/dev/null 2>&1
t_eq "$?" 1 "no arguments"
"$W" rules test --rules "$GOLDEN/policy.json" --bogus udp 1.2.3.4:1 '->' 1.2.3.5:2 >/dev/null 2>&1
t_eq "$?" 1 "unknown switch"

t_case "bad rules file names the rule and field"
echo '[{"type":"MATCH_IP_PROTOCOL","ipProtocol":"tcp"}]' >"$tmp/bad.json"
out=$("$W" rules test --rules "$tmp/bad.json" udp 1.2.3.4:1 '->' 1.2.3.5:2 2>&1)
t_eq "$?" 2 "exit status"
case $out in "weft rules test: rules[0]: ipProtocol"*) ;; *) t_fail "message: $out" ;; esac

t_case "a bad --case file"
echo '{"scenario": 1}' >"$tmp/badcase.json"
"$W" rules test --case "$tmp/badcase.json" >/dev/null 2>&1
t_eq "$?" 2 "exit status"

t_done
