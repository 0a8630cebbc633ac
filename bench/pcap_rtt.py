#!/usr/bin/env python3
"""pcap_rtt.py CAPTURE.pcap: the RTT of every DNS exchange in a capture on a loopback interface.

The reference for the engine's fan-out timing: the kernel stamps each packet as it passes the
interface (tcpdump --time-stamp-precision=nano), independently of the check. A query and its answer
are paired by (server address, client port, DNS ID); prints one line per pair,
"SERVER CLIENT_PORT ID RTT_MS", in the order the answers arrived. ICMP echo (ping) is paired by
(peer, ID, sequence) and printed as "PEER icmp ID:SEQ RTT_MS". Only IPv4, which is all the bench
sends.
"""
import struct
import sys


def packets(path):
    with open(path, "rb") as capture:
        header = capture.read(24)
        magic, = struct.unpack("<I", header[:4])
        if magic not in (0xA1B23C4D, 0xA1B2C3D4):
            raise SystemExit(f"{path}: not a little-endian pcap")
        scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
        linktype, = struct.unpack("<I", header[20:24])
        while True:
            record = capture.read(16)
            if len(record) < 16:
                return
            seconds, fraction, length, _ = struct.unpack("<IIII", record)
            yield seconds + fraction * scale, linktype, capture.read(length)


def main():
    queries = {}
    for stamp, linktype, frame in packets(sys.argv[1]):
        offset = 14 if linktype == 1 else 16 if linktype == 113 else 0
        ip = frame[offset:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] not in (1, 17):
            continue
        ihl = (ip[0] & 15) * 4
        src, dst = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20]))
        if ip[9] == 1 and len(ip) >= ihl + 8:
            kind, = struct.unpack("!B", ip[ihl:ihl + 1])
            ident, seq = struct.unpack("!HH", ip[ihl + 4:ihl + 8])
            if kind == 8:
                queries[(dst, "icmp", ident, seq)] = stamp
            elif kind == 0:
                sent = queries.pop((src, "icmp", ident, seq), None)
                if sent is not None:
                    print(f"{src} icmp {ident}:{seq} {(stamp - sent) * 1000:.6f}")
            continue
        sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
        dns = ip[ihl + 8:]
        if len(dns) < 12:
            continue
        ident, flags = struct.unpack("!HH", dns[:4])
        if dport == 53 and not flags & 0x8000:
            queries[(dst, sport, ident)] = stamp
        elif sport == 53 and flags & 0x8000:
            sent = queries.pop((src, dport, ident), None)
            if sent is not None:
                print(f"{src} {dport} {ident} {(stamp - sent) * 1000:.6f}")


if __name__ == "__main__":
    main()
