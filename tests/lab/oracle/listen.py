#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# listen.py - the oracle's listener in one lab namespace: TCP accept-and-close, UDP echo.
#
#   listen.py tcp:80 tcp:443 udp:5300
#
# Binds 0.0.0.0 on every port given, prints "ready" once all are bound, and serves until
# SIGTERM/SIGINT.  Started by randlab.py with nsenter --net=/run/netns/NS (nsenter execs, so
# the recorded pid is this process).  Standard library only.
import selectors
import signal
import socket
import struct
import sys

IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)  # Linux


def main():
    sel = selectors.DefaultSelector()
    for spec in sys.argv[1:]:
        proto, port = spec.split(":")
        if proto == "tcp":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", int(port)))
            s.listen(64)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
            s.bind(("0.0.0.0", int(port)))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, proto)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            try:
                if key.data == "tcp":
                    c, _ = s.accept()
                    try:
                        c.sendall(b"ok\n")
                    except OSError:
                        pass
                    c.close()
                else:
                    # answer from the address the datagram was sent to (a host with the
                    # public address on lo and another on its uplink would otherwise
                    # answer from the uplink's, and the client would not take it)
                    data, anc, _, peer = s.recvmsg(2048, socket.CMSG_SPACE(12))
                    cmsg = []
                    for level, typ, val in anc:
                        if level == socket.IPPROTO_IP and typ == IP_PKTINFO and len(val) >= 12:
                            cmsg = [(socket.IPPROTO_IP, IP_PKTINFO,
                                     struct.pack("i4s4s", 0, val[8:12], b"\0" * 4))]
                    s.sendmsg([data], cmsg, 0, peer)
            except OSError:
                pass


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
