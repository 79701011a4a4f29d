# SPDX-License-Identifier: MPL-2.0
# `weft idtool` as a real process: files, exit codes and messages of ZeroTier's identity tool,
# and identities from identity.json accepted as they are.
set -u
T_SUITE=cli/idtool
. "$(dirname "$0")/../lib/t.sh"
W="$(cd "${WEFT_BUILD:-build}" && pwd)/weft"
[ -x "$W" ] || { echo "FAIL $T_SUITE: $W not built"; exit 1; }
VEC=${VECTORS:-../shared/vectors}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

t_case "generate writes secret (0600) and public files"
out=$("$W" idtool generate id.secret id.public)
t_eq "$out" "id.secret written
id.public written" "output"
t_eq "$(stat -c %a id.secret)" "600" "secret file mode"
t_eq "$(wc -c <id.secret | tr -d ' ')" "270" "secret length (no newline)"
t_eq "$(wc -c <id.public | tr -d ' ')" "141" "public length (no newline)"

t_case "generate to stdout prints a 270-char secret identity"
s=$("$W" idtool generate)
t_eq "${#s}" "270" "length"
t_check "validates" "$W" idtool validate "$s"

t_case "validate accepts a generated identity file"
t_eq "$("$W" idtool validate id.secret)" "id.secret is a valid identity" "message"

t_case "getpublic matches the public file"
t_eq "$("$W" idtool getpublic id.secret)" "$(cat id.public)" "public form"

t_case "sign and verify a file"
head -c 5000 /dev/urandom >data
sig=$("$W" idtool sign id.secret data)
t_eq "${#sig}" "192" "signature hex length"
t_eq "$("$W" idtool verify id.public data "$sig")" "data signature valid" "verify message"
echo "$sig" >sigfile
t_check "signature from a file" "$W" idtool verify id.public data sigfile

t_case "verify rejects a changed file"
printf x >>data
msg=$("$W" idtool verify id.public data "$sig" 2>&1 >/dev/null)
rc=$?
t_eq "$rc" "1" "exit status"
t_eq "$msg" "data signature check FAILED" "message"

t_case "sign needs a secret"
msg=$("$W" idtool sign id.public data 2>&1 >/dev/null)
t_eq "$?" "1" "exit status"
t_eq "$msg" "id.public does not contain a private key (must use private to sign)" "message"

t_case "unreadable or malformed identity arguments"
msg=$("$W" idtool validate nosuchfile 2>&1 >/dev/null)
t_eq "$?" "1" "exit status"
t_eq "$msg" "Identity argument invalid or file unreadable: nosuchfile" "message"
printf 'not an identity' >junk
t_check_not "junk file" "$W" idtool getpublic junk

t_case "validate reports a forged identity as FAILED"
pub=$(cat id.public)
last=${pub: -1}
[ "$last" = 0 ] && repl=1 || repl=0
forged="${pub:0:140}$repl"
msg=$("$W" idtool validate "$forged" 2>&1 >/dev/null)
t_eq "$?" "1" "exit status"
t_eq "$msg" "$forged FAILED validation." "message"

t_case "identities made by ZeroTier One validate"
if command -v python3 >/dev/null && [ -f "$VEC/identity.json" ]; then
	python3 -c 'import json,sys; [print(v["secret"]) for v in json.load(open(sys.argv[1]))["valid"]]' \
		"$VEC/identity.json" >ids
	while read -r id; do
		t_check "${id:0:10} validates" "$W" idtool validate "$id"
		t_eq "$("$W" idtool getpublic "$id")" "${id:0:141}" "getpublic ${id:0:10}"
	done <ids
else
	t_fail "needs python3 and $VEC/identity.json"
fi

t_case "a signature made here verifies with a file holding the identity and trailing newline"
printf '%s\n' "$(cat id.public)" >id.public.nl
t_check "newline tolerated" "$W" idtool verify id.public.nl data "$("$W" idtool sign id.secret data)"

t_case "usage on no arguments exits 1; unknown command exits 1"
t_check_not "no args" "$W" idtool
t_check_not "unknown" "$W" idtool frobnicate
t_check "weft --help lists idtool" sh -c "'$W' --help | grep -q idtool"

t_case "vanity prefix"
out=$("$W" idtool generate v.secret v.public 5 2>/dev/null)
t_eq "$(cut -c1 v.public)" "5" "address starts with the prefix"

t_done
