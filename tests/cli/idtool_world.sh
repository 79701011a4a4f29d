# SPDX-License-Identifier: MPL-2.0
# `weft idtool` world commands as a real process: initmoon/genmoon templates, files and messages
# (service.md §3.3), initplanet/genplanet and key rotation (vl1.md §7.7). A small Python reader
# of the world format (vl1.md §7.1) checks the bytes, and the world.json vectors the layout.
set -u
T_SUITE=cli/idtool_world
. "$(dirname "$0")/../lib/t.sh"
W="$(cd "${WEFT_BUILD:-build}" && pwd)/weft"
[ -x "$W" ] || { echo "FAIL $T_SUITE: $W not built"; exit 1; }
VEC=$(cd "${VECTORS:-../shared/vectors}" 2>/dev/null && pwd)
command -v python3 >/dev/null || { echo "FAIL $T_SUITE: needs python3"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# wt.py: JSON edits, a world reader, the reference ordering, and signature checks.
cat >wt.py <<'EOF'
import hashlib, json, sys

def parse(b):
    w = {"type": b[0], "id": b[1:9].hex(), "ts": int.from_bytes(b[9:17], "big"),
         "key": b[17:81].hex(), "sig": b[81:177], "roots": []}
    p = 178
    for _ in range(b[177]):
        ident, n, p = b[p:p + 71], b[p + 71], p + 72
        eps = []
        for _ in range(n):
            size = {4: 7, 6: 19}[b[p]]
            eps.append(b[p:p + size]); p += size
        w["roots"].append((ident, eps))
    if b[0] == 127:
        assert b[p:p + 2] == b"\0\0"; p += 2
    assert p == len(b), "trailing bytes"
    w["len"] = p
    return w

def signing_message(b):  # vl1.md §7.2: the world without its signature, between markers
    return b"\x7f" * 8 + b[:81] + b[177:] + b"\xf7" * 8

def sorted_roots(roots):  # the order genmoon promises: by address then key; endpoints by bytes
    return sorted(((i, sorted(e)) for i, e in roots), key=lambda r: r[0])

def ed25519_ok(pub32, sig64, msg):  # an independent verifier: Python's, else openssl's
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        try:
            Ed25519PublicKey.from_public_bytes(pub32).verify(sig64, msg)
            return True
        except Exception:
            return False
    except ImportError:
        import subprocess, tempfile, os
        with tempfile.TemporaryDirectory() as t:
            der = bytes.fromhex("302a300506032b6570032100") + pub32
            for name, data in (("k", der), ("s", sig64), ("m", msg)):
                open(os.path.join(t, name), "wb").write(data)
            r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER",
                                "-inkey", os.path.join(t, "k"), "-rawin", "-in",
                                os.path.join(t, "m"), "-sigfile", os.path.join(t, "s")],
                               capture_output=True)
            return r.returncode == 0

def verify(b, pubhex):
    h = hashlib.sha512(signing_message(b)).digest()[:32]
    sig = parse(b)["sig"]
    if sig[64:] != h:
        return "bad"
    return "ok" if ed25519_ok(bytes.fromhex(pubhex)[32:], sig[:64], h) else "bad"

def from_vector(v):  # a genmoon/genplanet input made of a world.json world (keys added later)
    d = {"id": v["id"], "objtype": "world", "worldType": v["type"],
         "updatesMustBeSignedBy": v["updates_must_be_signed_by"],
         "roots": [{"identity": r["identity"],
                    "stableEndpoints": ["%s/%d" % (e["ip"], e["port"]) for e in r["stable_endpoints"]]}
                   for r in v["roots"]]}
    return d

cmd, a = sys.argv[1], sys.argv[2:]
if cmd == "set":  # set FILE CODE: run CODE with d = the JSON, write it back
    d = json.load(open(a[0])); exec(a[1]); json.dump(d, open(a[0], "w"), indent=1)
elif cmd == "get":  # get FILE EXPR
    d = json.load(open(a[0])); print(eval(a[1]))
elif cmd == "template":  # checks an init* output; prints its id
    text = open(a[0]).read(); d = json.loads(text)
    assert text == json.dumps(d, indent=1, sort_keys=True) + "\n", "format"
    assert sorted(d) == ["id", "objtype", "roots", "signingKey", "signingKey_SECRET",
                         "updatesMustBeSignedBy", "worldType"], sorted(d)
    assert d["objtype"] == "world" and d["updatesMustBeSignedBy"] == d["signingKey"]
    for k in ("signingKey", "signingKey_SECRET"):
        assert len(d[k]) == 128 and bytes.fromhex(d[k])
    assert all(sorted(r) == ["identity", "stableEndpoints"] and r["stableEndpoints"] == []
               for r in d["roots"])
    print(d["worldType"], d["id"], " ".join(r["identity"] for r in d["roots"]))
elif cmd == "world":  # world FILE FIELD
    w = parse(open(a[0], "rb").read())
    print({"roots": lambda: " ".join(i[:5].hex() + "/" + ",".join(e.hex() for e in eps)
                                     for i, eps in w["roots"])}.get(a[1], lambda: w[a[1]])())
elif cmd == "sorted":  # sorted FILE: are roots and endpoints in the promised order?
    w = parse(open(a[0], "rb").read())
    print(w["roots"] == sorted_roots(w["roots"]))
elif cmd == "vector":  # vector WORLD.JSON PATH OUT: write a gen* input from a vector world
    v = json.load(open(a[0]))
    for k in a[1].split("."):
        v = v[int(k)] if k.isdigit() else v[k]
    json.dump(from_vector(v), open(a[2], "w"), indent=1)
elif cmd == "same":  # same FILE WORLD.JSON PATH: equal to the vector but for timestamp/signature
    v = json.load(open(a[1]))
    for k in a[2].split("."):
        v = v[int(k)] if k.isdigit() else v[k]
    got, want = parse(open(a[0], "rb").read()), parse(bytes.fromhex(v["serialized"]))
    want["roots"] = sorted_roots(want["roots"])
    diff = [k for k in ("type", "id", "key", "roots", "len") if got[k] != want[k]]
    print("same" if not diff else "differs in " + ",".join(diff))
elif cmd == "verify":  # verify FILE PUBHEX: ok or bad
    print(verify(open(a[0], "rb").read(), a[1]))
EOF
wt() { python3 "$tmp/wt.py" "$@"; }
# err CMD...: the command must exit 1; prints its stderr.
err() { local e; e=$("$@" 2>&1 >/dev/null); local rc=$?; [ "$rc" = 1 ] || echo "exit $rc"; echo "$e"; }

"$W" idtool generate id.secret id.public >/dev/null
"$W" idtool generate id2.secret id2.public >/dev/null
pub=$(cat id.public) pub2=$(cat id2.public)
addr=${pub:0:10} addr2=${pub2:0:10}

t_case "initmoon prints a sorted, 1-space indented template with a fresh key pair"
"$W" idtool initmoon id.public >moon.json
t_eq "$?" "0" "exit status"
t_eq "$(wt template moon.json 2>&1)" "moon $addr $pub" "template (worldType, id, roots)"
"$W" idtool initmoon id.public >moon2.json
t_check_not "a new signing key each time" cmp -s moon.json moon2.json

t_case "initmoon takes a literal identity, or a secret one and prints only its public half"
"$W" idtool initmoon "$pub" >lit.json
t_eq "$(wt get lit.json 'd["roots"][0]["identity"]')" "$pub" "literal"
"$W" idtool initmoon id.secret >sec.json
t_eq "$(wt get sec.json 'd["roots"][0]["identity"]')" "$pub" "secret file"

t_case "initmoon rejects what is not a valid identity"
printf 'not an identity' >junk
t_eq "$(err "$W" idtool initmoon junk)" "junk is not a valid identity" "junk file"
t_eq "$(err "$W" idtool initmoon nosuchfile)" "nosuchfile is not a valid identity" "no file"
last=${pub: -1}
[ "$last" = 0 ] && repl=1 || repl=0
forged="${pub:0:140}$repl"
t_eq "$(err "$W" idtool initmoon "$forged")" "$forged is not a valid identity" "forged"

t_case "genmoon writes <16-hex id>.moon in the current directory (service.md §3.3 example)"
sed -i 's#"stableEndpoints": \[\]#"stableEndpoints": ["192.0.2.2/19993"]#' moon.json
out=$("$W" idtool genmoon moon.json)
t_eq "$?" "0" "exit status"
f=000000$addr.moon
ts=$(wt world "$f" ts 2>/dev/null)
t_eq "$out" "wrote $f (signed world with timestamp $ts)" "message"
now=$(($(date +%s) * 1000))
[ -n "$ts" ] && [ "$ts" -gt $((now - 60000)) ] && [ "$ts" -le $((now + 1000)) ] ||
	t_fail "timestamp $ts is not now ($now)"
t_eq "$(wc -c <"$f" | tr -d ' ')" "$((178 + 71 + 1 + 7 + 2))" "size: header, root, 1 IPv4, dictionary"
t_eq "$(head -c 1 "$f" | od -An -tx1 | tr -d ' ')" "7f" "first byte: moon"
t_eq "$(wt world "$f" id)" "000000$addr" "world ID"
t_eq "$(wt world "$f" key)" "$(wt get moon.json 'd["updatesMustBeSignedBy"]')" "update key"
t_eq "$(wt world "$f" roots)" "$addr/04c00002024e19" "root and endpoint"
t_eq "$(wt verify "$f" "$(wt get moon.json 'd["signingKey"]')")" "ok" \
	"signature by signingKey"

t_case "genmoon sorts roots by address and endpoints by wire bytes (IPv4 first)"
wt set moon.json 'd["roots"] = [{"identity": "'"$pub2"'", "stableEndpoints": ["2001:db8::1/9993",
 "198.51.100.7/9993", "10.0.0.2/443", "10.0.0.2/80"]}, {"identity": "'"$pub"'",
 "stableEndpoints": ["2001:db8::2/1", "192.0.2.9/1"]}]'
"$W" idtool genmoon moon.json >/dev/null
t_eq "$(wt sorted "$f")" "True" "order"
t_eq "$(wc -c <"$f" | tr -d ' ')" "$((178 + 2 * 72 + 3 * 7 + 19 + 7 + 19 + 2))" "size"
[[ $addr < $addr2 ]] && first=$addr || first=$addr2
t_eq "$(wt world "$f" roots | cut -c1-10)" "$first" "lowest address first"

t_case "genmoon of the world.json moon matches ZeroTier's bytes but for timestamp and signature"
if [ -f "$VEC/world.json" ]; then
	mkdir vec && cd vec
	wt vector "$VEC/world.json" moon in.json
	wt set in.json 'import json; v = json.load(open("'"$VEC"'/world.json"))["moon"];
d["signingKey"], d["signingKey_SECRET"] = v["signing_key_public"], v["signing_key_secret"]'
	t_eq "$("$W" idtool genmoon in.json | cut -d' ' -f2)" "000000ad19383ec5.moon" "file name"
	t_eq "$(wt same 000000ad19383ec5.moon "$VEC/world.json" moon)" "same" "bytes"
	wt vector "$VEC/world.json" planet in.json
	wt set in.json 'import json; v = json.load(open("'"$VEC"'/world.json"))["planet"];
d["signingKey"], d["signingKey_SECRET"] = v["signing_key_public"], v["signing_key_secret"]'
	"$W" idtool genplanet in.json >/dev/null
	t_eq "$(wt same planet "$VEC/world.json" planet)" "same" "planet bytes (roots sorted)"
	cd ..
else
	t_fail "needs $VEC/world.json"
fi

t_case "genmoon errors: file, ID, worldType (service.md §3.3 messages)"
t_eq "$(err "$W" idtool genmoon nosuch.json)" "cannot read nosuch.json" "unreadable"
cp moon.json m.json && wt set m.json 'del d["id"]'
t_eq "$(err "$W" idtool genmoon m.json)" "ID in m.json is invalid" "missing ID"
cp moon.json m.json && wt set m.json 'd["id"] = "0"'
t_eq "$(err "$W" idtool genmoon m.json)" "ID in m.json is invalid" "zero ID"
cp moon.json m.json && wt set m.json 'd["id"] = "xyz"'
t_eq "$(err "$W" idtool genmoon m.json)" "ID in m.json is invalid" "non-hex ID"
cp moon.json m.json && wt set m.json 'd["worldType"] = "star"'
t_eq "$(err "$W" idtool genmoon m.json)" "invalid worldType" "worldType"
cp moon.json m.json && wt set m.json 'del d["worldType"]'
t_eq "$(err "$W" idtool genmoon m.json)" "invalid worldType" "no worldType"

t_case "genmoon errors name the file and what is wrong"
printf '{"id": "1",' >m.json
t_eq "$(err "$W" idtool genmoon m.json | cut -d: -f1,2)" "m.json: invalid JSON at line 1" "bad JSON"
printf '[1]' >m.json
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: not a JSON object" "not an object"
cp moon.json m.json && wt set m.json 'd["roots"][0]["identity"] = "12345"'
t_eq "$(err "$W" idtool genmoon m.json)" \
	"m.json: roots[0].identity is not a valid identity (expected address:0:public-key[:secret-key])" \
	"bad identity"
cp moon.json m.json && wt set m.json 'd["roots"][1]["identity"] = "'"$forged"'"'
t_eq "$(err "$W" idtool genmoon m.json)" \
	"m.json: roots[1].identity is not a valid identity (fails validation)" "forged identity"
cp moon.json m.json && wt set m.json 'd["roots"][1]["identity"] = d["roots"][0]["identity"]'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: roots[1] repeats the identity of roots[0]" \
	"repeated root"
for ep in 192.0.2.1 192.0.2.1/0 192.0.2.1/70000 300.0.0.1/9993 host/9993; do
	cp moon.json m.json && wt set m.json 'd["roots"][0]["stableEndpoints"][1] = "'$ep'"'
	t_eq "$(err "$W" idtool genmoon m.json)" \
		"m.json: roots[0].stableEndpoints[1] \"$ep\" is not ip/port" "endpoint $ep"
done
cp moon.json m.json && wt set m.json 'd["roots"][0]["stableEndpoints"][1] = 5'
t_eq "$(err "$W" idtool genmoon m.json)" \
	"m.json: roots[0].stableEndpoints[1] (not a string) is not ip/port" "endpoint not a string"
cp moon.json m.json && wt set m.json 'd["roots"][0]["stableEndpoints"][1] = d["roots"][0]["stableEndpoints"][0]'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: roots[0].stableEndpoints[1] repeats [0]" \
	"repeated endpoint"
cp moon.json m.json && wt set m.json 'd["roots"][0]["stableEndpoints"] = ["10.0.%d.1/9993" % i for i in range(33)]'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: roots[0] has 33 stableEndpoints (at most 32)" \
	"33 endpoints"
cp moon.json m.json && wt set m.json 'd["roots"][0]["stableEndpoints"] = ["10.0.%d.1/9993" % i for i in range(32)]'
t_check "32 endpoints are allowed" "$W" idtool genmoon m.json
cp moon.json m.json && wt set m.json 'd["roots"] = d["roots"] * 3'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: roots must be an array of 1 to 4 roots" "6 roots"
cp moon.json m.json && wt set m.json 'd["roots"] = []'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: roots must be an array of 1 to 4 roots" "no roots"
cp moon.json m.json && wt set m.json 'd["signingKey"] = d["signingKey"][:-2]'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: signingKey must be 128 hex digits" "short key"
cp moon.json m.json && wt set m.json 'd["signingKey_SECRET"] = "zz" + d["signingKey_SECRET"][2:]'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: signingKey_SECRET must be 128 hex digits" \
	"non-hex secret"
cp moon.json m.json && wt set m.json 'd["updatesMustBeSignedBy"] = 7'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: updatesMustBeSignedBy must be 128 hex digits" \
	"update key not a string"
cp moon.json m.json && wt set m.json 'd["signingKey_SECRET"] = d["signingKey_SECRET"][:-1] + ("0" if d["signingKey_SECRET"][-1] != "0" else "1")'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: signingKey_SECRET does not match signingKey" \
	"mismatched pair"
cp moon.json m.json && wt set m.json 'del d["signingKey_SECRET"]'
t_eq "$(err "$W" idtool genmoon m.json)" \
	"m.json: signingKey and signingKey_SECRET must both be given" "missing secret"
cp moon.json m.json && wt set m.json 'del d["updatesMustBeSignedBy"]'
t_eq "$(err "$W" idtool genmoon m.json)" "m.json: updatesMustBeSignedBy is missing" \
	"missing update key"
rm -f ./*.moon
cp moon.json m.json && wt set m.json 'd["roots"][0]["stableEndpoints"] = ["bad"]'
"$W" idtool genmoon m.json 2>/dev/null
t_eq "$(ls ./*.moon 2>/dev/null)" "" "nothing written on error"

t_case "initplanet: a planet template with a random 64-bit ID and one root per identity"
"$W" idtool initplanet id.public "$pub2" >planet.json
t_eq "$?" "0" "exit status"
read -r type pid roots <<<"$(wt template planet.json)"
t_eq "$type" "planet" "worldType"
t_eq "${#pid}" "16" "ID is 16 hex digits"
[ "$pid" != 0000000000000000 ] && [ "$pid" != 0000000008eac90a ] || t_fail "ID $pid"
t_eq "$roots" "$pub $pub2" "roots in argument order"
t_eq "$(err "$W" idtool initplanet id.public junk)" "junk is not a valid identity" "bad identity"
t_eq "$(err "$W" idtool initplanet id.public id.secret)" \
	"id.secret: root $addr is given twice" "repeated identity"
t_eq "$(err "$W" idtool initplanet a b c d e)" "a planet has at most 4 roots (5 given)" "5 roots"
t_check_not "no identity" "$W" idtool initplanet

t_case "genplanet writes planet (or the given path), type byte 01, no dictionary"
wt set planet.json 'd["roots"][0]["stableEndpoints"] = ["192.0.2.1/9993"];
d["roots"][1]["stableEndpoints"] = ["192.0.2.2/9993", "2001:db8::2/9993"]'
out=$("$W" idtool genplanet planet.json)
t_eq "$out" "wrote planet (signed world with timestamp $(wt world planet ts))" "message"
t_eq "$(head -c 1 planet | od -An -tx1 | tr -d ' ')" "01" "first byte: planet"
t_eq "$(wc -c <planet | tr -d ' ')" "$((178 + 72 + 7 + 72 + 7 + 19))" "size"
t_eq "$(wt world planet id)" "$pid" "world ID"
t_eq "$(wt sorted planet)" "True" "order"
out=$("$W" idtool genplanet planet.json sub.planet)
t_eq "${out%% (*}" "wrote sub.planet" "output path"
t_check "file written" test -s sub.planet
cp moon.json m.json
t_eq "$(err "$W" idtool genplanet m.json)" \
	"m.json: worldType must be \"planet\" for genplanet (use genmoon for moons)" "moon JSON"
t_eq "$(err "$W" idtool genplanet planet.json /nonexistent/dir/planet | cut -d: -f1)" \
	"cannot write /nonexistent/dir/planet" "unwritable output"

t_case "genplanet with previousSigningKey: the previous key signs, signingKey is named next"
"$W" idtool initplanet id.public >fresh.json
old_pub=$(wt get planet.json 'd["signingKey"]')
new_pub=$(wt get fresh.json 'd["signingKey"]')
cp planet.json rot.json
wt set rot.json 'import json; n = json.load(open("fresh.json"));
d["previousSigningKey"], d["previousSigningKey_SECRET"] = d["signingKey"], d["signingKey_SECRET"];
d["signingKey"], d["signingKey_SECRET"] = n["signingKey"], n["signingKey_SECRET"];
d["updatesMustBeSignedBy"] = n["signingKey"]'
ts1=$(wt world planet ts)
sleep 0.01
"$W" idtool genplanet rot.json planet2 >/dev/null
t_eq "$(wt world planet2 key)" "$new_pub" "updatesMustBeSignedBy is the current key"
t_eq "$(wt world planet2 id)" "$pid" "same ID"
[ "$(wt world planet2 ts)" -gt "$ts1" ] || t_fail "timestamp not newer"
v=$(wt verify planet2 "$old_pub")
t_eq "$v" "ok" "signed by the previous key"
t_eq "$(wt verify planet2 "$new_pub")" "bad" "not by the current key"
wt set rot.json 'del d["updatesMustBeSignedBy"]'
t_check "updatesMustBeSignedBy may be left out" "$W" idtool genplanet rot.json planet3
t_eq "$(wt world planet3 key)" "$new_pub" "then it is signingKey"
wt set rot.json 'd["updatesMustBeSignedBy"] = d["previousSigningKey"]'
t_eq "$(err "$W" idtool genplanet rot.json planet4)" \
	"rot.json: with previousSigningKey, updatesMustBeSignedBy must equal signingKey (the key that signs the next revision)" \
	"stale updatesMustBeSignedBy"
wt set rot.json 'del d["updatesMustBeSignedBy"]; del d["previousSigningKey_SECRET"]'
t_eq "$(err "$W" idtool genplanet rot.json planet4)" \
	"rot.json: previousSigningKey and previousSigningKey_SECRET must both be given" "half a pair"

t_case "genplanet of the world.json valid update matches it, signed by the previous key"
if [ -f "$VEC/world.json" ]; then
	cd vec
	wt vector "$VEC/world.json" updates.0.update up.json
	wt set up.json 'import json; u = json.load(open("'"$VEC"'/world.json"))["updates"][0]["update"];
d["previousSigningKey"], d["previousSigningKey_SECRET"] = u["signed_with_public"], u["signed_with_secret"];
d["signingKey"], d["signingKey_SECRET"] = u["new_update_key_public"], u["new_update_key_secret"]'
	"$W" idtool genplanet up.json >/dev/null
	t_eq "$(wt same planet "$VEC/world.json" updates.0.update)" "same" "bytes"
	prev=$(wt get up.json 'd["previousSigningKey"]')
	t_eq "$(wt verify planet "$prev")" "ok" "signature"
	cd ..
else
	t_fail "needs $VEC/world.json"
fi

t_case "help lists the world commands; initmoon/genmoon without arguments exit 0"
help=$("$W" idtool 2>&1)
for c in "initmoon <identity.public of first seed>" "genmoon <moon json>" "initplanet " \
	"genplanet " previousSigningKey; do
	case $help in *"$c"*) ;; *) t_fail "help lacks '$c'" ;; esac
done
t_check "initmoon" "$W" idtool initmoon
t_check "genmoon" "$W" idtool genmoon
t_check_not "genplanet" "$W" idtool genplanet

t_done
