# SPDX-License-Identifier: MPL-2.0
# Controller store under SIGKILL (service.md §1.5, §2.9): a driver creates and updates 2,000
# members of one network while weftd is killed at random moments and restarted. Afterwards
# every document parses, every member holds its last acknowledged update (or a later one whose
# answer was lost to a kill), revisions count the writes, and a fresh weftd serves the same.
# CRASH_SEED=N replays the kill timing; KEEP_LOG=1 keeps the log in /tmp/crash-weftd.log.
set -u
T_SUITE=cli/controller_crash
. "$(dirname "$0")/../lib/t.sh"
B="$(cd "${WEFT_BUILD:-build}" && pwd)"
D="$B/weftd"
[ -x "$D" ] || { echo "FAIL $T_SUITE: $D not built"; exit 1; }
for x in curl python3; do
	command -v $x >/dev/null || t_skip_all "needs $x" 3
done
MEMBERS=2000 MIN_KILLS=20 MAX_KILLS=40
seed=${CRASH_SEED:-$$}
RANDOM=$seed
tmp=$(mktemp -d)
home="$tmp/home"
cdir="$home/controller.d"
pid= drv=
cleanup() {
	[ -n "$drv" ] && kill -KILL "$drv" 2>/dev/null
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "${KEEP_LOG:-}" ] && cp "$tmp/weftd.log" /tmp/crash-weftd.log
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/../lib/weftd.sh"
start() { weftd_start "$tmp/weftd.log"; }
crash() { weftd_kill; }

# The driver: one keep-alive connection, requests in order, each member's k-th request with
# values derived from (address, k) alone. A request whose answer never came may or may not
# be applied; a refused connect was never sent. The outcome goes to a JSON journal.
cat >"$tmp/driver.py" <<'EOF'
import http.client, json, os, sys, time
home, nwid, members, journal, base, stop = sys.argv[1:7]
members = int(members)
tok = open(home + "/authtoken.secret").read().strip()
addrs = ["%010x" % (0x2a00000000 + i * 0x10001) for i in range(members)]
st = {a: {"k": 0, "acked": 0, "last": None, "maybe": [], "nmaybe": 0} for a in addrs}
deadline = time.time() + 60
conn = None
counts = {"acked": 0, "unknown": 0, "creates": 0, "updates": 0, "reconnects": 0}

def connect():
    global conn
    while time.time() < deadline:
        try:
            port = int(open(home + "/zerotier-one.port").read())
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/health")
            c.getresponse().read()
            conn = c
            return
        except (OSError, ValueError, http.client.HTTPException):
            time.sleep(0.02)
    sys.exit("driver: weftd did not come back")

def one(a, i):
    s = st[a]
    s["k"] += 1
    k = s["k"]
    body = json.dumps({"name": "m%s-v%d" % (a, k), "authorized": k % 2 == 1,
                       "ipAssignments": ["10.%d.%d.%d" % (k % 200 + 1, i >> 8, i & 255)]})
    sent = False
    try:
        conn.request("POST", "/controller/network/%s/member/%s" % (nwid, a), body,
                     {"X-ZT1-Auth": tok, "Content-Type": "application/json"})
        sent = True
        r = conn.getresponse()
        data = r.read()
    except ConnectionRefusedError:
        r = None
    except (OSError, http.client.HTTPException):
        r = None
        sent = True
    if r is None:
        if sent:
            s["maybe"].append(k)
            s["nmaybe"] += 1
            counts["unknown"] += 1
        conn.close()
        counts["reconnects"] += 1
        connect()
        return False
    if r.status != 200:
        sys.exit("driver: %s v%d: status %d: %r" % (a, k, r.status, data[:200]))
    counts["creates" if s["acked"] == 0 else "updates"] += 1
    counts["acked"] += 1
    s["acked"] += 1
    s["last"] = k
    s["maybe"] = []
    return True

def run():
    connect()
    # Two acknowledged passes (create, update) over every member, then updates until told.
    for p in range(1 << 30):
        for i, a in enumerate(addrs):
            while not one(a, i):
                pass
            if i % 64 == 0 and p >= 2 and os.path.exists(stop):
                return
            if time.time() > deadline:
                sys.exit("driver: out of time in pass %d" % p)
        if p == 1:
            open(base, "w").close()

# The journal is written even when the driver gives up, so the disk is checked regardless.
try:
    run()
finally:
    json.dump({"members": st, "counts": counts}, open(journal, "w"))
EOF

# The checker. disk: every .json under controller.d parses, stray files are only the atomic
# writer's temporaries, each member matches its journal. api HOME: GET answers the same.
cat >"$tmp/check.py" <<'EOF'
import http.client, json, os, re, sys
mode, cdir, nwid, journal = sys.argv[1:5]
j = json.load(open(journal))
st = j["members"]
bad = 0
def fail(msg):
    global bad
    bad += 1
    if bad <= 20:
        print(msg)
def want(a, k):
    i = idx[a]
    return ("m%s-v%d" % (a, k), k % 2 == 1, ["10.%d.%d.%d" % (k % 200 + 1, i >> 8, i & 255)])
idx = {a: i for i, a in enumerate(st)}
docs = {}
if mode == "disk":
    temps = 0
    for d, _, files in os.walk(cdir):
        for f in files:
            p = os.path.join(d, f)
            if re.search(r"\.json\.tmp\d+$", f):
                temps += 1
                continue
            if not f.endswith(".json"):
                fail("unexpected file %s" % p)
                continue
            try:
                doc = json.load(open(p))
            except ValueError as e:
                fail("%s does not parse: %s" % (p, e))
                continue
            if d.endswith("/" + nwid + "/member"):
                docs[f[:-5]] = doc
    extra = sorted(set(docs) - set(st))
    if extra:
        fail("members nobody created: %s" % extra[:5])
else:
    c = http.client.HTTPConnection("127.0.0.1", int(open(cdir + "/zerotier-one.port").read()))
    tok = open(cdir + "/authtoken.secret").read().strip()
    for a in st:
        c.request("GET", "/controller/network/%s/member/%s" % (nwid, a), None,
                  {"X-ZT1-Auth": tok})
        r = c.getresponse()
        body = r.read()
        if r.status == 200:
            docs[a] = json.loads(body)
    ondisk = json.load(open(sys.argv[5]))
for a, s in st.items():
    doc = docs.get(a)
    allowed = ([s["last"]] if s["last"] else []) + s["maybe"]
    if doc is None:
        if s["acked"]:
            fail("member %s missing, expected v%d" % (a, s["last"]))
        continue
    got = (doc.get("name"), doc.get("authorized"), doc.get("ipAssignments"))
    show = lambda v: "name=%s authorized=%s ipAssignments=%s" % v
    if doc.get("id") != a or doc.get("address") != a or doc.get("nwid") != nwid:
        fail("member %s: wrong id/address/nwid %r" % (a, doc))
    ok = [k for k in allowed if want(a, k) == got]
    if not ok:
        fail("member %s: expected {%s}, got {%s}" % (a, "} or {".join(
            show(want(a, k)) for k in allowed), show(got)))
    # Each applied write bumps the revision once: acked ones all, unknown ones maybe.
    rev = doc.get("revision")
    if not isinstance(rev, int) or not s["acked"] <= rev <= s["acked"] + s["nmaybe"]:
        fail("member %s: revision %r, expected %d..%d (acknowledged writes, plus unanswered)"
             % (a, rev, s["acked"], s["acked"] + s["nmaybe"]))
    if mode == "api" and (ondisk.get(a) or {}).get("revision") != rev:
        fail("member %s: API revision %r, disk %r" % (a, rev, ondisk.get(a)))
if bad > 20:
    print("and %d more problems" % (bad - 20))
if mode == "disk":
    json.dump(docs, open(sys.argv[5], "w"))
    print("temps=%d" % temps)
sys.exit(1 if bad else 0)
EOF

# check MODE DIR: runs check.py; each line it prints is a failure, but for the temp count.
check() {
	local line rc
	python3 "$tmp/check.py" "$1" "$2" "$nwid" "$tmp/journal" "$tmp/disk.json" >"$tmp/out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		temps=*) temps=${line#temps=} ;;
		*) t_fail "$line" ;;
		esac
	done <"$tmp/out"
	[ $rc -eq 0 ] || [ -s "$tmp/out" ] || t_fail "check.py $1 exited $rc"
}

start
tok=$(cat "$home/authtoken.secret")
addr=$(curl -s -H "X-ZT1-Auth: $tok" "http://127.0.0.1:$port/status" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
nwid=$(curl -s -H "X-ZT1-Auth: $tok" -d '{}' \
	"http://127.0.0.1:$port/controller/network/${addr}______" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

t_case "$MEMBERS members created and updated while weftd is SIGKILLed (seed $seed)"
t0=$(date +%s)
python3 "$tmp/driver.py" "$home" "$nwid" $MEMBERS "$tmp/journal" "$tmp/base" "$tmp/stop" \
	>"$tmp/driver.log" 2>&1 &
drv=$!
kills=0
# Kill at random moments 0.2-1.5 s apart, until the two passes are done and enough kills
# happened; the driver then stops at its next check.
while kill -0 "$drv" 2>/dev/null; do
	ms=$((200 + RANDOM % 1300))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	if { [ -e "$tmp/base" ] && [ $kills -ge $MIN_KILLS ]; } || [ $kills -ge $MAX_KILLS ]; then
		touch "$tmp/stop"
		break
	fi
	kill -0 "$drv" 2>/dev/null || break
	crash
	kills=$((kills + 1))
	start
done
wait "$drv"
rc=$?
drv=
crash # the last stop is a kill as well
t_eq "$rc" 0 "driver: $(tail -n 3 "$tmp/driver.log")"
[ -s "$tmp/journal" ] || { t_fail "no journal"; t_done; exit 1; }
[ $kills -ge $MIN_KILLS ] || t_fail "only $kills kills"
counts=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]
print("%d creates, %d updates, %d unknown" % (c["creates"], c["updates"], c["unknown"]))' \
	"$tmp/journal")

t_case "on disk: every document parses, each member as last acknowledged"
check disk "$cdir"

t_case "restarted: nothing called corrupt, GET serves what is on disk"
start
corrupt=$(grep -i corrupt "$tmp/weftd.log" | sort -u | head -n 5)
[ -z "$corrupt" ] || t_fail "weftd logged: $corrupt"
san=$(grep -E 'ERROR: AddressSanitizer|runtime error' "$tmp/weftd.log" | head -n 3)
[ -z "$san" ] || t_fail "sanitizer: $san"
check api "$home"
n=$(curl -s -H "X-ZT1-Auth: $tok" "http://127.0.0.1:$port/controller/network/$nwid/member" |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
t_eq "$n" "$MEMBERS" "member list length"
crash
echo "controller_crash: $counts, $kills kills, ${temps:-?} temp files left," \
	"$(($(date +%s) - t0)) s (seed $seed)"
t_done
