#!/usr/bin/env bash
# Installs the Debian packages Luwte uses at run time and in tests. Needs root (or sudo);
# installs only what is missing, so a second run is quick.
#   ffmpeg        recording and the RTP test source of the benchmarks
#   chromium      browser tests (driven by playwright-core; never a downloaded browser)
#   redis-server  the shared store (started by tests on a free loopback port)
#   iproute2      private network namespaces for media tests (keeps WebRTC on loopback)
#   coturn        the TURN server for clients behind firewalls (tests start their own)
#   nftables      the firewalls the reachability tests put in front of a client's namespace
#   haproxy       the load balancer in front of the multi-host test rig (WebSocket-aware)
#   janus         the peer SFU the bench suite compares with (its VideoRoom; the bench starts its own)
# The mediasoup worker's build dependencies are installed by its own script when needed.
set -euo pipefail
pkgs=(ffmpeg chromium redis-server iproute2 util-linux procps coturn nftables haproxy janus)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "system packages present: ${pkgs[*]}"
	exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
