#!/bin/bash
# Runs a command in the current (private, from `unshare -n`) network namespace after giving Janus an
# interface it will gather on: Janus 1.1.2 skips loopback interfaces, so a veth pair jv0/jv1 is made
# and jv0 carries 127.0.0.2/32. The command is pinned to CPU 1 (Janus pins itself to CPU 0).
# usage: unshare -n bench/src/janus/netns.sh node bench/src/webrtc-fanout.ts [options]
set -e
ip link set lo up
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link add jv0 type veth peer name jv1
ip link set jv1 up
ip link set jv0 up
ip addr add 127.0.0.2/32 dev jv0
exec taskset -c "${BENCH_CLIENT_CPUS:-1}" "$@"
