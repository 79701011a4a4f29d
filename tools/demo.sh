#!/usr/bin/env bash
# make demo, foundation edition: two identities, their shared key from both sides, and a
# signed, armored, fragmented packet carried between them in memory (build/demo-foundation).
set -eu
build=${1:-build}
W="$build/weft"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== two identities (memory-hard address derivation)"
"$W" idtool generate "$tmp/alice.secret" "$tmp/alice.public" >/dev/null
"$W" idtool generate "$tmp/bob.secret" "$tmp/bob.public" >/dev/null
echo "alice: $(cut -c1-10 "$tmp/alice.public")   bob: $(cut -c1-10 "$tmp/bob.public")"
"$W" idtool validate "$tmp/alice.public"
"$W" idtool validate "$tmp/bob.public"
echo "== alice signs a message, bob's side verifies it"
echo "hello from alice" >"$tmp/msg"
sig=$("$W" idtool sign "$tmp/alice.secret" "$tmp/msg")
"$W" idtool verify "$tmp/alice.public" "$tmp/msg" "$sig"
echo "== a 5000-byte packet from alice to bob, for each cipher suite"
"$build/demo-foundation" "$(cat "$tmp/alice.secret")" "$(cat "$tmp/bob.secret")"
echo
echo "The network demo (root, controller and members in namespaces) arrives with issue 5."
