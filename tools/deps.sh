#!/usr/bin/env bash
# Installs the Debian packages weft builds and tests with, only those missing. Needs root
# (apt-get) when anything is missing; does nothing otherwise.
set -eu
pkgs=(build-essential clang libclang-rt-14-dev pkg-config libsodium-dev libssl-dev liblz4-dev
	libjansson-dev libmicrohttpd-dev curl iproute2 iptables iputils-ping valgrind python3 openssl
	iperf3 tcpdump lowdown)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root, or install these packages first: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
