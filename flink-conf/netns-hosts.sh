#!/usr/bin/env bash
# A multi-host test network on one machine, from Linux network namespaces (needs root):
#
#   <name>-sw   a bridge (the "switch"); nothing else runs there
#   <name>-jm   10.213.0.10  the JobManager's host
#   <name>-h1   10.213.0.11  capture host 1 (a TaskManager)
#   <name>-h2   10.213.0.12  capture host 2 (a TaskManager)
#   <name>-tx   10.213.0.20  the instrument: senders (unicast to the hosts, multicast to 239/8)
#
# Each host namespace has loopback and one veth to the bridge; the subnet exists only inside
# these namespaces (the bridge is in its own namespace), so runs with different names never
# collide and nothing outside them is touched. Multicast: the bridge floods it (no IGMP
# snooping), and the sender's namespace routes 224.0.0.0/4 to its veth.
#
#   flink-conf/netns-hosts.sh up <name>      create (fails if any of them exists)
#   flink-conf/netns-hosts.sh down <name>    delete them (stop what runs inside first)
#   flink-conf/netns-hosts.sh address <role> the address of jm, h1, h2 or tx
set -euo pipefail

SUBNET=10.213.0
declare -A ADDRESS=([jm]=$SUBNET.10 [h1]=$SUBNET.11 [h2]=$SUBNET.12 [tx]=$SUBNET.20)
ROLES=(jm h1 h2 tx)
T=10   # seconds any single ip command may take

ipc() { timeout "$T" ip "$@"; }

up() {
  local name="$1" role ns
  ipc netns add "$name-sw"
  ipc -n "$name-sw" link set lo up
  ipc -n "$name-sw" link add br0 type bridge mcast_snooping 0
  ipc -n "$name-sw" link set br0 up
  for role in "${ROLES[@]}"; do
    ns="$name-$role"
    ipc netns add "$ns"
    ipc -n "$ns" link set lo up
    ipc link add eth0 netns "$ns" type veth peer name "port-$role" netns "$name-sw"
    ipc -n "$name-sw" link set dev "port-$role" master br0
    ipc -n "$name-sw" link set dev "port-$role" up
    ipc -n "$ns" addr add "${ADDRESS[$role]}/24" dev eth0
    ipc -n "$ns" link set dev eth0 up
  done
  ipc -n "$name-tx" route add 224.0.0.0/4 dev eth0
  echo "netns-hosts: up $name (jm ${ADDRESS[jm]}, h1 ${ADDRESS[h1]}, h2 ${ADDRESS[h2]}, tx ${ADDRESS[tx]})" >&2
}

down() {
  local name="$1" role
  for role in tx h2 h1 jm sw; do
    if [ -e "/run/netns/$name-$role" ]; then
      ipc netns del "$name-$role" || echo "netns-hosts: could not delete $name-$role" >&2
    fi
  done
}

case "${1:-}" in
  up) [ $# -eq 2 ] || { echo "usage: $0 up <name>" >&2; exit 2; }; up "$2" ;;
  down) [ $# -eq 2 ] || { echo "usage: $0 down <name>" >&2; exit 2; }; down "$2" ;;
  address) [ -n "${ADDRESS[${2:-}]:-}" ] || { echo "roles: ${ROLES[*]}" >&2; exit 2; }; echo "${ADDRESS[$2]}" ;;
  *) sed -n '2,20p' "$0" >&2; exit 2 ;;
esac
