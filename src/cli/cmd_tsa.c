/* cmd_tsa.c — `scelle tsa`: a small RFC 3161 time-stamp authority over HTTP (RFC 3161 §3.4)
 * for tests, the demo and air-gapped labs.  libmicrohttpd does the HTTP, one thread per
 * connection; tsa_responder.c (libscelle) makes the replies. */
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include "cli.h"
#include "internal.h"
#include "crypto.h"

/* A TimeStampReq is a hash and a few small fields: a few hundred bytes.  Anything much
 * bigger is not a request. */
#define MAX_REQUEST (64u << 10)

static const char usage_text[] =
    "usage: scelle tsa --cert CERT --key KEY [--pass SPEC] [--chain FILE] [--policy OID]\n"
    "                  [--serial-file FILE] [--listen ADDR:PORT] [--port-file FILE] [-q]\n"
    "\n"
    "Runs an RFC 3161 time-stamp authority over HTTP until SIGTERM or SIGINT.  It answers\n"
    "POST requests of type application/timestamp-query at any path.\n"
    "\n"
    "  --cert CERT         TSA certificate (PEM; needs the critical timeStamping EKU)\n"
    "  --key KEY           its private key (PEM)\n"
    "  --pass SPEC         pass phrase of the key: env:VAR, file:PATH, fd:N or pass:TEXT\n"
    "  --chain FILE        intermediate certificates to put into each token (PEM)\n"
    "  --policy OID        TSA policy (default " TSA_DEMO_POLICY ", a demo policy\n"
    "                      that means nothing in law)\n"
    "  --serial-file FILE  keeps the last serial number, so numbers never repeat across\n"
    "                      restarts (default: random 127-bit serial numbers)\n"
    "  --listen ADDR:PORT  address to listen on (default 127.0.0.1:3161; port 0 picks a\n"
    "                      free port; [ADDR]:PORT for IPv6)\n"
    "  --port-file FILE    write the port in use to FILE once listening\n"
    "  -q, --quiet         do not print the listening address and the URL to use\n";

static int usage_error(const char *msg)
{
	if (msg)
		error("%s", msg);
	return usage_hint("tsa");
}

/* -------------------------------------------------------------- HTTP side ---- */

struct upload {
	struct buf body;
	int too_large;
	struct timespec start;	/* the headers were read */
};

/* A request must arrive whole within REQUEST_DEADLINE seconds of its headers, however
 * its bytes trickle in (each byte restarts MHD's idle timeout): 40 clients sending a
 * byte at a time held every connection for 50 s (issue 18).  One address holds at most
 * PER_ADDRESS connections. */
#define REQUEST_DEADLINE 5
#define IDLE_TIMEOUT 5
#define PER_ADDRESS 32

static int past_deadline(const struct upload *u)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - u->start.tv_sec >= REQUEST_DEADLINE;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
    void *data, size_t len, int owned)
{
	struct MHD_Response *r = owned
	    ? MHD_create_response_from_buffer_with_free_callback(len, data, free)
	    : MHD_create_response_from_buffer(len, data, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;
	if (!r) {
		if (owned)
			free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int status, const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8", (void *)text, strlen(text), 0);
}

/* "application/timestamp-query", ignoring case and any parameters after ';'. */
static int is_query_type(const char *ct)
{
	static const char want[] = "application/timestamp-query";
	size_t n = sizeof(want) - 1;
	if (!ct || strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data, size_t *upload_data_size,
    void **con_cls)
{
	struct tsa_responder *tsa = cls;
	struct upload *u = *con_cls;
	(void)url;
	(void)version;

	if (!u) {
		/* First call: only the headers are known. */
		const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_TYPE);
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "this is an RFC 3161 time-stamp authority: POST a time-stamp query\n");
		if (!is_query_type(ct))
			return reply_text(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			    "expected Content-Type: application/timestamp-query (RFC 3161 §3.4)\n");
		if (cl && strtoull(cl, NULL, 10) > MAX_REQUEST)
			return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "request too large\n");
		if (!(u = calloc(1, sizeof(*u))))
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &u->start);
		*con_cls = u;
		return MHD_YES;
	}
	if (past_deadline(u))
		return MHD_NO;	/* closes the connection */
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (u->too_large)
			return MHD_YES;
		if (u->body.len + n > MAX_REQUEST || buf_append(&u->body, upload_data, n) < 0) {
			u->too_large = 1;
			buf_release(&u->body);
		}
		return MHD_YES;
	}
	if (u->too_large)
		return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "request too large\n");

	unsigned char *resp;
	size_t len;
	if (tsa_respond(tsa, u->body.data, u->body.len, &resp, &len) < 0)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot make a reply\n");
	/* A rejection is still a well-formed TimeStampResp: HTTP 200 (RFC 3161 §3.4). */
	return reply(c, MHD_HTTP_OK, "application/timestamp-reply", resp, len, 1);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct upload *u = *con_cls;
	(void)cls;
	(void)c;
	(void)toe;
	if (u) {
		buf_release(&u->body);
		free(u);
		*con_cls = NULL;
	}
}

/* ------------------------------------------------------------ the socket ---- */

/* Binds "ADDR:PORT", "[ADDR6]:PORT" or "PORT" (on 127.0.0.1) and starts listening. */
static int listen_on(const char *spec, int *port, int *v6)
{
	char host[256], *colon;
	const char *service;
	struct addrinfo hints = { 0 }, *ai = NULL;
	int fd = -1, one = 1, rc;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof(host))
			return error("invalid listen address '%s' (use ADDR:PORT)", spec), -1;
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		host[close - spec - 1] = '\0';
		service = close + 2;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		if ((size_t)(colon - spec) >= sizeof(host))
			return error("invalid listen address '%s' (use ADDR:PORT)", spec), -1;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		service = colon + 1;
	} else {
		snprintf(host, sizeof(host), "127.0.0.1");
		service = spec;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (!*service || (rc = getaddrinfo(host[0] ? host : NULL, service, &hints, &ai)) != 0)
		return error("invalid listen address '%s' (use ADDR:PORT with a numeric address)",
		    spec), -1;
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
		error("cannot listen on '%s': %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	*v6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);

	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		error("cannot listen on '%s': %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Written whole and renamed into place, so that a script polling for it never reads half. */
static int write_port_file(const char *path, int port)
{
	char tmp[4096], line[16];
	int fd, n = snprintf(line, sizeof(line), "%d\n", port), ok;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= sizeof(tmp))
		return error("path too long: '%s'", path), -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return error("cannot create '%s': %s", tmp, strerror(errno)), -1;
	ok = write(fd, line, (size_t)n) == n;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int cmd_tsa(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "pass", required_argument, NULL, 'P' },
		{ "chain", required_argument, NULL, 'C' },
		{ "policy", required_argument, NULL, 'p' },
		{ "serial-file", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port-file", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tsa_responder_config cfg = { 0 };
	const char *listen_spec = "127.0.0.1:3161", *port_file = NULL, *pass_spec = NULL;
	char *pass = NULL;
	struct tsa_responder *tsa = NULL;
	struct MHD_Daemon *d = NULL;
	struct scerr e = { 0 };
	sigset_t stop;
	int c, fd = -1, port = 0, v6 = 0, sig, ret = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfg.cert = optarg; break;
		case 'k': cfg.key = optarg; break;
		case 'P': pass_spec = optarg; break;
		case 'C': cfg.chain = optarg; break;
		case 'p': cfg.policy = optarg; break;
		case 's': cfg.serial_file = optarg; break;
		case 'l': listen_spec = optarg; break;
		case 'f': port_file = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return usage_error(NULL);
		}
	}
	if (optind < argc) {
		error("unexpected argument '%s'", argv[optind]);
		return usage_error(NULL);
	}
	if (!cfg.cert || !cfg.key)
		return usage_error(_("--cert and --key are required"));
	if (pass_spec && !(pass = pass_from_spec(pass_spec)))
		return EXIT_USAGE;
	cfg.pass_cb = cli_pass_cb;
	cfg.pass_arg = pass;
	tsa = tsa_responder_new(&cfg, &e);
	if (pass) {
		OPENSSL_cleanse(pass, strlen(pass));
		free(pass);
	}
	if (!tsa) {
		error("%s", e.msg);
		return EXIT_USAGE;
	}

	/* Block the stop signals before any thread starts, so that every thread inherits the
	 * mask and only sigwait() below receives them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	if ((fd = listen_on(listen_spec, &port, &v6)) < 0)
		goto out;
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
		(v6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, handle, tsa, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)IDLE_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PER_ADDRESS, MHD_OPTION_END);
	if (!d) {
		error("cannot start the HTTP server on '%s'", listen_spec);
		close(fd);
		goto out;
	}
	if (port_file && write_port_file(port_file, port) < 0)
		goto out;
	if (!quiet) {
		/* The URL to give seal, stamp and custody (the responder answers on any path):
		 * the host as given, an IPv6 one in brackets, loopback for "any address". */
		const char *colon = strrchr(listen_spec, ':');
		int hl = colon ? (int)(colon - listen_spec) : 0;
		const char *host = listen_spec;
		if (hl == 0 || (hl == 7 && !strncmp(host, "0.0.0.0", 7)))
			host = "127.0.0.1", hl = 9;
		else if (hl == 4 && !strncmp(host, "[::]", 4))
			host = "[::1]", hl = 5;
		printf(_("scelle tsa: listening on port %d (%s): use --tsa http://%.*s:%d/\n"), port,
		    shown(listen_spec), hl, host, port);
		fflush(stdout);
	}
	while (sigwait(&stop, &sig) != 0)
		;
	ret = 0;
out:
	if (d)
		MHD_stop_daemon(d); /* closes the listening socket, joins the threads */
	tsa_responder_free(tsa);
	return ret;
}
