/**
 * The NAT instance's user data: a plain shell script, nothing EC2-specific in the NAT itself, so the same
 * script is proven off EC2 (the egress proof runs it, taken from the synthesized stack, in a network
 * namespace). It turns on IPv4 forwarding and masquerades everything leaving through the interface of the
 * default route (nftables), and sends no ICMP redirects on any interface (as AWS's own NAT AMI: a redirect would point the
 * private subnets at a gateway they cannot use). Idempotent. It needs no network of its own before it runs: the instance
 * boots after its interface holds the Elastic IP, and nftables ships with Amazon Linux 2023. The NAT is up before the persistence steps (a sysctl file, a copy of
 * itself and a systemd unit that re-runs it at boot), and their failure does not undo it.
 */
export const NAT_INSTANCE_USER_DATA: string = `#!/bin/sh
# fixed-egress NAT instance: forward IPv4, masquerade what leaves through the default route's interface.
set -u
log() { echo "fixed-egress-nat: $*"; }

command -v nft >/dev/null 2>&1 || dnf -y -q install nftables || { log "nftables is missing and could not be installed"; exit 1; }
out=""
set -- $(ip -4 route show default)
while [ $# -gt 1 ]; do
  if [ "$1" = dev ]; then out=$2; break; fi
  shift
done
[ -n "$out" ] || { log "no IPv4 default route: nothing to masquerade through"; exit 1; }
sysctl -q -w net.ipv4.ip_forward=1 || { log "cannot turn on IPv4 forwarding"; exit 1; }
# The kernel sends a redirect on an interface when "all" or that interface says 1, and the interfaces exist
# before this runs ("default" covers only later ones): each is set, as AWS's NAT AMI does.
redirects=0
for f in /proc/sys/net/ipv4/conf/*/send_redirects; do echo 0 > "$f" || redirects=1; done
[ "$redirects" = 0 ] || log "cannot turn ICMP redirects off on every interface (forwarding goes on)"
nft -f - <<NFT || { log "cannot load the nftables rules"; exit 1; }
table ip fixed_egress_nat
delete table ip fixed_egress_nat
table ip fixed_egress_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "$out" masquerade
  }
}
NFT
log "forwarding, masquerading through $out"

# Survive a reboot. These may fail (no systemd, a read-only /usr): the NAT above stays up either way.
persist() {
  mkdir -p /etc/sysctl.d && printf 'net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.send_redirects = 0\nnet.ipv4.conf.default.send_redirects = 0\n' > /etc/sysctl.d/90-fixed-egress-nat.conf || return 1
  mkdir -p /usr/local/sbin && cp "$0" /usr/local/sbin/fixed-egress-nat && chmod 0755 /usr/local/sbin/fixed-egress-nat || return 1
  mkdir -p /etc/systemd/system && cat > /etc/systemd/system/fixed-egress-nat.service <<UNIT || return 1
[Unit]
Description=fixed-egress NAT: IPv4 forwarding and masquerade
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/fixed-egress-nat
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
UNIT
  command -v systemctl >/dev/null 2>&1 && systemctl enable fixed-egress-nat.service >/dev/null 2>&1 || return 1
}
if persist; then log "set up to run again at boot"; else log "could not set up the boot-time re-run (the NAT is up now)"; fi
exit 0
`;
