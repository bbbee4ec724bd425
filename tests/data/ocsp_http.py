#!/usr/bin/env python3
"""ocsp_http.py PORTFILE DIR [PORT [SIGNER]] -- an OCSP responder on 127.0.0.1 for the tests:
every POSTed request is answered by stock `openssl ocsp` in responder mode (-index
DIR/index.txt, signed by DIR/rca.pem, or by a delegated DIR/SIGNER.pem and its key), so the
answers are OpenSSL's own and follow each revocation at once.
`openssl ocsp -port` would listen on every interface; the tests stay on loopback."""
import http.server, os, subprocess, sys, tempfile

portfile, ca = sys.argv[1], sys.argv[2]
signer = sys.argv[4] if len(sys.argv) > 4 else "rca"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with tempfile.TemporaryDirectory() as d:
            req, resp = os.path.join(d, "req.der"), os.path.join(d, "resp.der")
            with open(req, "wb") as f:
                f.write(body)
            r = subprocess.run(["openssl", "ocsp", "-index", "index.txt", "-rsigner", signer + ".pem",
                                "-rkey", signer + ".key", "-CA", "rca.pem", "-reqin", req,
                                "-respout", resp], cwd=ca, capture_output=True)
            if r.returncode != 0 or not os.path.exists(resp):
                self.send_error(500, r.stderr.decode(errors="replace")[:200])
                return
            data = open(resp, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))


srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[3]) if len(sys.argv) > 3 else 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
