#!/usr/bin/env python3
"""Send tandem-encoded VRRP packets (lines "NAME FAMILY HEX" printed by
`cargo test --lib vrrp::packet::interop -- --ignored --nocapture`) out of IFACE, on the
schedule used for the keepalived 2.2.7 interop check (see README.md). Run inside the
injector's network namespace only."""
import socket, sys, time

IFACE = sys.argv[2] if len(sys.argv) > 2 else "veth1"
pk = {}
for line in open(sys.argv[1]):
    name, fam, h = line.split()
    pk[name] = (int(fam), bytes.fromhex(h))
ifindex = socket.if_nametoindex(IFACE)
s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s4.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IFACE.encode())
s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 112)
s6.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IFACE.encode())
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
s6.bind(("fe80::2", 0, 0, ifindex))

def send(name):
    fam, b = pk[name]
    if fam == 4:
        s4.sendto(b, ("224.0.0.18", 0))
    else:
        s6.sendto(b, ("ff02::12", 0, 0, ifindex))
    print(f"{time.time():.3f} sent {name}", flush=True)

bad = [n for n in pk if not n.startswith("good") and n != "prio_0"]
start = time.time()
step = 0
while True:
    t = step * 0.5
    now = time.time() - start
    if t > now:
        time.sleep(t - now)
    if t >= 11:
        break
    send("good_v3")
    send("good_v6")
    if step % 2 == 0 and t < 8:
        send("good_v2")
    if t == 8:
        send("prio_0")
    if 5 <= t < 5 + len(bad) * 0.2 or (t >= 5 and bad):
        # one malformed packet between two scheduled ones
        if bad:
            time.sleep(0.1)
            send(bad.pop(0))
            if bad:
                time.sleep(0.1)
                send(bad.pop(0))
    step += 1
