#!/usr/bin/python3
"""A misbehaving Icinga 2 API for check_anycast_vantages: the responses a real icinga2 never sends
(truncated, hostile, oversized, redirecting, silent). HTTPS with the test CA's certificate, on one
loopback port; the path after /v1/objects/services is ignored, the scenario is chosen per port run.

    vantages_mock.py PORT CERT KEY SCENARIO MAX_SECONDS
"""
import socket
import ssl
import sys
import threading
import time

PORT, CERT, KEY, SCENARIO, MAX_SECONDS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])

HOSTILE_ROW = (
    '{"attrs": {"host_name": "vp-x", "name": "dns", "last_check_result": {"state": "CRITICAL",'
    ' "output": "x", "execution_end": 1}}, "joins": {"host": {"state": 0}}}'
)


def response(status, body, extra=""):
    head = "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%sConnection: close\r\n\r\n" % (
        status, len(body), extra)
    return head.encode() + body


def answer(scenario):
    if scenario == "truncated-json":  # a well-framed response whose JSON stops in the middle
        return response("200 OK", b'{"results": [{"attrs": {"host_name": "vp-a", "na')
    if scenario == "cut-off":  # Content-Length promises more than arrives, then the connection ends
        body = b'{"results": ['
        return response("200 OK", body).replace(b"Content-Length: %d" % len(body), b"Content-Length: 5000")
    if scenario == "hostile":  # valid JSON, wrong types where the check reads
        return response("200 OK", ('{"results": [%s]}' % HOSTILE_ROW).encode())
    if scenario == "redirect":
        return response("302 Found", b"{}", "Location: https://elsewhere.example/v1/objects/services\r\n")
    if scenario == "huge":  # 17 MiB of valid-looking JSON
        body = b'{"results": [' + b" " * (17 << 20) + b"]}"
        return response("200 OK", body)
    raise SystemExit("unknown scenario " + scenario)


def serve(connection):
    try:
        connection.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = connection.recv(4096)
            if not chunk:
                return
            data += chunk
        if SCENARIO == "silent":
            time.sleep(MAX_SECONDS)
            return
        connection.sendall(answer(SCENARIO))
    except (OSError, ssl.SSLError):
        pass
    finally:
        connection.close()


def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(PORT)))
    listener.listen(8)
    listener.settimeout(1)
    print("ready", flush=True)
    end = time.monotonic() + MAX_SECONDS
    while time.monotonic() < end:
        try:
            raw, _ = listener.accept()
        except socket.timeout:
            continue
        try:
            connection = context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            continue
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


main()
