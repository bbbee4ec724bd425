#!/usr/bin/env python3
"""stock_tsa.py MODE PKI PORTFILE — an RFC 3161 responder made of stock `openssl ts -reply`
behind Python's http.server, on 127.0.0.1 and a free port (written to PORTFILE).  It lets
the tests check scelle against a responder that is not scelle's own, and misbehave on purpose:

  ok      answer every query with `openssl ts -reply` (ESSCertIDv2, SHA-256)
  replay  answer the first query properly, then replay that first reply to every later query
  reject  a TSA that only accepts SHA-512 imprints: PKIStatus rejection, badAlg
  noeku   a token whose TSTInfo is re-signed (openssl cms -sign) by a certificate without
          the timeStamping EKU, which `openssl ts -reply` itself refuses to use
  html    answer 200 with an HTML page, as a misconfigured web server would (404 at /missing)
  hang    accept connections and never answer
"""
import http.server
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

MODE, PKI, PORTFILE = sys.argv[1], sys.argv[2], sys.argv[3]
# Inside the folder of PORTFILE, so that the test removes it with everything else.
WORK = tempfile.mkdtemp(prefix="stock-tsa.", dir=os.path.dirname(os.path.abspath(PORTFILE)))
LOCK = threading.Lock()
CACHED = []

CONFIG = """
[tsa_config1]
serial = {work}/serial
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2
digests = {digests}
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def reply_for(query):
    """Runs openssl ts -reply on one query; the lock keeps the serial file consistent."""
    with LOCK:
        q, r = os.path.join(WORK, "q.tsq"), os.path.join(WORK, "r.tsr")
        with open(q, "wb") as f:
            f.write(query)
        run("openssl", "ts", "-reply", "-config", os.path.join(WORK, "tsa.cnf"),
            "-section", "tsa_config1", "-queryfile", q, "-signer", PKI + "/tsa.pem",
            "-inkey", PKI + "/tsa.key", "-out", r)
        if MODE != "noeku":
            with open(r, "rb") as f:
                return f.read()
        # Take the TSTInfo out of the good token and sign it again with the wrong certificate.
        tok, tst, bad = (os.path.join(WORK, n) for n in ("tok.der", "tst.der", "bad.der"))
        run("openssl", "ts", "-reply", "-in", r, "-token_out", "-out", tok)
        run("openssl", "cms", "-verify", "-noverify", "-inform", "DER", "-in", tok, "-out", tst)
        run("openssl", "cms", "-sign", "-binary", "-nodetach", "-in", tst, "-econtent_type",
            "1.2.840.113549.1.9.16.1.4", "-signer", PKI + "/tsa-noeku.pem", "-inkey",
            PKI + "/tsa-noeku.key", "-md", "sha256", "-cades", "-nosmimecap",
            "-outform", "DER", "-out", bad)
        with open(bad, "rb") as f:
            token = f.read()
        body = bytes.fromhex("3003020100") + token  # PKIStatusInfo { granted } + token
        return b"\x30" + der_len(len(body)) + body


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = 200
        if MODE == "html":
            body, ctype = b"<html><body>It works!</body></html>\n", "text/html"
            if self.path == "/missing":
                status = 404
        else:
            ctype = "application/timestamp-reply"
            if MODE == "replay" and CACHED:
                body = CACHED[0]
            else:
                body = reply_for(query)
                CACHED.append(body)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def publish(port):
    tmp = PORTFILE + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, PORTFILE)


def main():
    with open(os.path.join(WORK, "serial"), "w") as f:
        f.write("01\n")
    with open(os.path.join(WORK, "tsa.cnf"), "w") as f:
        f.write(CONFIG.format(work=WORK,
                              digests="sha512" if MODE == "reject" else "sha256, sha384, sha512"))
    if MODE == "hang":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(16)  # the kernel completes handshakes; nobody ever reads or answers
        publish(s.getsockname()[1])
        while True:
            time.sleep(60)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    publish(srv.server_address[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
