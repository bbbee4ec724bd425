#!/usr/bin/env python3
"""tsa_https.py PORTFILE CERT KEY UPSTREAM [USER:PASSWORD [CLIENT-CA]] -- an https front for
the tests' RFC 3161 responder, as qualified TSAs are reached: TLS on 127.0.0.1 with CERT and
KEY; with USER:PASSWORD, a request without that HTTP basic authentication (RFC 7617) gets
401; with CLIENT-CA, a client certificate issued by it is required.  Every accepted POST is
forwarded to UPSTREAM (`scelle tsa`'s http URL) and its answer sent back unchanged.  Each
request's Authorization header is logged, so that a test can see what was sent."""
import base64, http.server, os, ssl, sys, urllib.request

portfile, cert, key, upstream = sys.argv[1:5]
auth = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] else None
client_ca = sys.argv[6] if len(sys.argv) > 6 else None


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        got = self.headers.get("Authorization")
        sys.stderr.write("authorization: %s\n" % got)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if auth and got != "Basic " + base64.b64encode(auth.encode()).decode():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="tsa"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        req = urllib.request.Request(upstream, data=body,
                                     headers={"Content-Type": "application/timestamp-query"})
        with urllib.request.urlopen(req, timeout=10) as r:
            data, ctype = r.read(), r.headers.get("Content-Type")
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if client_ca:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(client_ca)
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
