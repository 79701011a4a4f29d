# SPDX-License-Identifier: MPL-2.0
# Bulk TCP with integrity for the network tests.
#   tcp_sum.py serve PORT N       accept N connections (IPv4 or IPv6), answer each with the
#                                 SHA-256 of what it sent; 20 s limits throughout
#   tcp_sum.py send ADDR PORT N MB  N parallel connections of MB random megabytes each;
#                                 prints how many came back with the right SHA-256
import hashlib
import os
import socket
import sys
import threading


def serve(port, n):
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(n)
    s.settimeout(20)

    def one(c):
        c.settimeout(20)
        h = hashlib.sha256()
        while True:
            x = c.recv(1 << 16)
            if not x:
                break
            h.update(x)
        c.sendall(h.hexdigest().encode())
        c.close()

    ts = [threading.Thread(target=one, args=(s.accept()[0],)) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def send(addr, port, n, mb):
    good = []

    def one():
        d = os.urandom(mb << 20)
        s = socket.create_connection((addr, port), timeout=20)
        s.sendall(d)
        s.shutdown(socket.SHUT_WR)
        r = b""
        while True:
            x = s.recv(100)
            if not x:
                break
            r += x
        good.append(r.decode() == hashlib.sha256(d).hexdigest())

    ts = [threading.Thread(target=one) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(sum(good))


if sys.argv[1] == "serve":
    serve(int(sys.argv[2]), int(sys.argv[3]))
else:
    send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
