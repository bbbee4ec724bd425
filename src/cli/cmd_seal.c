/* cmd_seal.c — scelle seal: hash, sign and time-stamp evidence into an ASiC-E archive. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "cli.h"

static const char usage_text[] =
    "usage: scelle seal -o OUT.asice --key KEY [--cert CERT] [--chain FILE] [--pass SPEC]\n"
    "                   [--pkcs11-module PATH] [--rsa-padding pss|pkcs1] [--signature cades|xades]\n"
    "                   [--revocation-data auto|none|FILE]...\n"
    "                   [--case AUTH:COUNTRY:REF]... [--case-file CASE.xml]\n"
    "                   [--officer NAME] [--role ROLE] [--unit UNIT] [--country CC] [--place PLACE]\n"
    "                   [--digest ALG]... [--tsa URL]... [--tsa-policy OID] [--tsa-timeout S]\n"
    "                   [--tsa-optional] [--tsa-ca FILE] [--tsa-auth SPEC]\n"
    "                   [--tsa-cert FILE [--tsa-key FILE]]\n"
    "                   [--item-info CSV] [--files-from FILE [-0]] [--follow]\n"
    "                   [--exclude PATTERN]... [--exclude-os-junk]\n"
    "                   [--list-depth N] [--list-max-bytes SIZE] [--force] [-q] [--json]\n"
    "                   [--compress MODE] [--progress=MODE] [--on-collision refuse|rename]\n"
    "                   [--max-entries N] [--max-volume-size SIZE] [--profile dss|e-codex]\n"
    "                   [[--as NAME] PATH]...\n"
    "\n"
    "  -o, --output FILE     the archive to write (never overwritten without --force)\n"
    "  -k, --key KEY         signing key: PEM, DER or PKCS#12 file, or a PKCS#11 URI\n"
    "                        (pkcs11:token=...;object=...) for a smart card or an HSM\n"
    "  -c, --cert CERT       signer certificate (default: from the key file or token)\n"
    "      --chain FILE      intermediate certificates to embed (repeatable)\n"
    "      --pass SPEC       pass phrase or PIN: env:VAR, file:PATH, fd:N or pass:TEXT\n"
    "      --pkcs11-module PATH  PKCS#11 module (default: p11-kit-proxy.so)\n"
    "      --rsa-padding P   RSA signatures: pss (default) or pkcs1 (v1.5, legacy)\n"
    "      --signature F     cades (default) or xades (XAdES in signatures001.xml, for\n"
    "                        DigiDoc and other XAdES-only verifiers)\n"
    "      --revocation-data auto|none|FILE  revocation data for the chain (CAdES-B-LT):\n"
    "                        by default fetched from the certificates' OCSP and CRL\n"
    "                        URLs, with a warning when it cannot be; auto: fail then;\n"
    "                        none: embed none; FILE: embed this CRL or OCSP response\n"
    "                        instead (repeatable)\n"
    "      --case A:CC:REF   case reference of authority A in country CC (repeatable)\n"
    "      --case-file FILE  <case> element with references, legal basis, description\n"
    "      --officer NAME    sealing officer; --role, --unit, --country, --place likewise\n"
    "      --digest ALG      extra digest: sha512, sha3-256, sha1, md5 (repeatable)\n"
    "      --tsa URL         RFC 3161 time-stamp authority, http:// or https:// (repeatable:\n"
    "                        one that fails is a warning and the next is asked)\n"
    "      --tsa-policy OID  policy to ask the TSA for\n"
    "      --tsa-timeout S   seconds to wait for a TSA (default 30)\n"
    "      --tsa-optional    seal even when no TSA answers\n"
    "      --tsa-ca FILE     https TSAs: CA certificates (PEM; default: the system's)\n"
    "      --tsa-auth SPEC   https TSAs: user:password for HTTP basic authentication, read\n"
    "                        from env:VAR or file:PATH (never given on the command line)\n"
    "      --tsa-cert FILE, --tsa-key FILE  https TSAs: client certificate and key (PEM,\n"
    "                        key not encrypted; default: the key is in the cert file)\n"
    "      --as NAME PATH    store PATH as evidence/NAME in the archive (NAME applies to the\n"
    "                        one PATH that follows; default: the last component of PATH)\n"
    "  -T, --files-from FILE read more PATHs from FILE ('-': standard input), one a line\n"
    "  -0, --null            --files-from names end with NUL, not newline\n"
    "      --on-collision M  names that differ only in case or Unicode normalisation\n"
    "                        (IMG_1.JPG, img_1.jpg): refuse (default), or rename: store the\n"
    "                        second as img_1~2.jpg, its original name in evidence.xml\n"
    "      --follow          follow symbolic links (default: record each link as an item of\n"
    "                        type inode/symlink holding its target)\n"
    "      --exclude PATTERN leave out what matches below a folder (fnmatch; repeatable):\n"
    "                        without '/', the base name ('*.tmp'); with '/', the path\n"
    "                        below the folder given ('cache/*')\n"
    "      --exclude-os-junk leave out .DS_Store, Thumbs.db and desktop.ini\n"
    "      --item-info CSV   where items came from: CSV with header, columns path, source_url,\n"
    "                        captured_at, captured_by, tool, note (see scelle(1))\n"
    "      --list-depth N    list archives inside items N levels deep (default 2)\n"
    "      --list-max-bytes SIZE  stop listing an item's members after SIZE decompressed\n"
    "                        bytes (default 4G; suffixes K, M, G)\n"
    "      --compress MODE   auto (deflate text that gains, default), max (level 9 for all\n"
    "                        but compressed formats) or none (store every item)\n"
    "      --max-entries N   split into volumes OUT.vol001.asice... of at most N ZIP entries\n"
    "                        each, its own five files included (see FORMAT.md, Volumes)\n"
    "      --max-volume-size SIZE  volumes of at most SIZE bytes of archive file (suffixes\n"
    "                        K, M, G); an item larger than SIZE is alone in its volume\n"
    "      --profile P       dss (--max-entries 990: EU DSS reads up to 1,000 entries) or\n"
    "                        e-codex (--max-volume-size 1900000000, one e-CODEX message)\n"
    "  -f, --force           replace OUT if it exists (its custody ledger is kept, renamed\n"
    "                        OUT.custody.SEALID.xml after its seal identifier)\n"
    "  -q, --quiet           no progress\n"
    "      --json            print the result as JSON\n"
    "      --progress MODE   auto (a line on a TTY), json (lines on stderr) or none\n";

enum { O_CHAIN = 256, O_PASS, O_CASE, O_CASE_FILE, O_OFFICER, O_ROLE, O_UNIT, O_COUNTRY,
	O_PLACE, O_DIGEST, O_JSON, O_AS,
	O_FOLLOW, O_ITEM_INFO, O_LIST_DEPTH, O_LIST_MAX_BYTES,
	O_PKCS11_MODULE, O_RSA_PADDING, O_COMPRESS, O_PROGRESS,
	O_REVOCATION_DATA, O_EXCLUDE, O_OS_JUNK, O_SIGNATURE,
	O_ON_COLLISION, O_MAX_ENTRIES, O_MAX_VOLUME_SIZE, O_PROFILE };

#define OPTSTRING "-o:k:c:fqhT:0"	/* '-': operands come in order, for --as NAME PATH */

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "key", required_argument, NULL, 'k' },
	{ "cert", required_argument, NULL, 'c' },
	{ "chain", required_argument, NULL, O_CHAIN },
	{ "pass", required_argument, NULL, O_PASS },
	{ "pkcs11-module", required_argument, NULL, O_PKCS11_MODULE },
	{ "rsa-padding", required_argument, NULL, O_RSA_PADDING },
	{ "revocation-data", required_argument, NULL, O_REVOCATION_DATA },
	{ "case", required_argument, NULL, O_CASE },
	{ "case-file", required_argument, NULL, O_CASE_FILE },
	{ "officer", required_argument, NULL, O_OFFICER },
	{ "role", required_argument, NULL, O_ROLE },
	{ "unit", required_argument, NULL, O_UNIT },
	{ "country", required_argument, NULL, O_COUNTRY },
	{ "place", required_argument, NULL, O_PLACE },
	{ "digest", required_argument, NULL, O_DIGEST },
	TSA_OPTIONS,
	{ "on-collision", required_argument, NULL, O_ON_COLLISION },
	{ "max-entries", required_argument, NULL, O_MAX_ENTRIES },
	{ "max-volume-size", required_argument, NULL, O_MAX_VOLUME_SIZE },
	{ "profile", required_argument, NULL, O_PROFILE },
	{ "force", no_argument, NULL, 'f' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, O_JSON },
	{ "as", required_argument, NULL, O_AS },
	{ "files-from", required_argument, NULL, 'T' },
	{ "null", no_argument, NULL, '0' },
	{ "follow", no_argument, NULL, O_FOLLOW },
	{ "exclude", required_argument, NULL, O_EXCLUDE },
	{ "exclude-os-junk", no_argument, NULL, O_OS_JUNK },
	{ "item-info", required_argument, NULL, O_ITEM_INFO },
	{ "list-depth", required_argument, NULL, O_LIST_DEPTH },
	{ "list-max-bytes", required_argument, NULL, O_LIST_MAX_BYTES },
	{ "compress", required_argument, NULL, O_COMPRESS },
	{ "signature", required_argument, NULL, O_SIGNATURE },
	{ "progress", required_argument, NULL, O_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* AUTH:COUNTRY:REF — the reference itself may contain colons (e.g. "2026:001"). */
static int add_case(struct scelle_sealer *s, char *spec)
{
	char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2)
		return error("invalid case reference '%s' (use AUTHORITY:COUNTRY:REFERENCE)", spec);
	*c1 = *c2 = '\0';
	int rc = scelle_sealer_add_case_ref(s, spec, c1 + 1, c2 + 1);
	*c1 = *c2 = ':';
	return rc ? error("--case: %s", scelle_sealer_errmsg(s)) : 0;
}

/* Each line of the library's warnings as "scelle: warning: ...": how many. */
static unsigned print_warnings(const struct scelle_sealer *s)
{
	const char *w = scelle_sealer_warnings(s);
	unsigned count = 0;
	while (w && *w) {
		const char *nl = strchr(w, '\n');
		int n = nl ? (int)(nl - w) : (int)strlen(w);
		const char *hint = error_hint_words(scelle_sealer_warning_hint(s, count));
		if (hint)	/* the library's words, then the tool's option */
			warning("%.*s (%s)", n, w, hint);
		else
			warning("%.*s", n, w);
		w += n + (nl != NULL);
		count++;
	}
	return count;
}

/* The inputs in command-line order: a PATH (with the NAME of a --as before it) or a
 * --files-from list, read once all options are known (-0 may come after it). */
struct input {
	const char *path, *as;
	int list;
};

/* Reads a --files-from list: names end with LF (a CR before it is dropped) or with NUL
 * (-0); empty names are skipped. */
static int add_list(struct scelle_sealer *s, const char *file, int nul)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	if (!f)
		return error("cannot open '%s': %s", file, strerror(errno));
	while (rc == 0 && (n = getdelim(&line, &cap, nul ? '\0' : '\n', f)) > 0) {
		if (line[n - 1] == (nul ? '\0' : '\n'))
			line[--n] = '\0';
		if (!nul && n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n && scelle_sealer_add_input(s, line, NULL))
			rc = lib_error(scelle_sealer_errmsg(s), scelle_sealer_errhint(s));
	}
	if (rc == 0 && ferror(f))
		rc = error("cannot read '%s': %s", file, strerror(errno));
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* SIZE: a number of bytes with an optional K, M or G (powers of 1024). */
static int parse_size(const char *arg, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	int shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : 0;
	if (shift)
		end++;
	if (end == arg || *end || errno || *arg == '-' || v == 0 || v > (UINT64_MAX >> shift))
		return error("invalid size '%s' (bytes, or a number with K, M or G)", arg);
	*out = (uint64_t)v << shift;
	return 0;
}

/* What the command line asks for beyond what goes straight into the sealer as it is read:
 * what must wait until every option is known (the key after --pass and --pkcs11-module,
 * the chain after the key, the inputs after -0), and how to report. */
struct seal_args {
	const char *out, *key, *cert, *profile;
	const char **chain;	/* the --chain files, in order */
	size_t nchain;
	struct input *in;
	size_t nin;
	struct tsa_opts to;
	char *pass;
	int force, json, nul, list_depth, in_flags;
	uint64_t list_max_bytes, max_entries, max_size;
};

/* Phase "options": reads the command line into s and a.  0, SEAL_HELP after --help, or
 * EXIT_USAGE after an error message. */
#define SEAL_HELP (-1)
static int seal_options(struct scelle_sealer *s, int argc, char **argv, struct seal_args *a)
{
	const char *as = NULL;	/* the NAME of a --as, waiting for its PATH */
	int opt;

	while ((opt = getopt_long(argc, argv, OPTSTRING, options, NULL)) != -1) {
		int r = 0;
		const char *text = NULL;	/* a free-text option: its name prefixes the error */
		switch (opt) {
		case 1:
			a->in[a->nin].path = optarg;
			a->in[a->nin++].as = as;
			as = NULL;
			break;
		case O_AS:
			if (as)
				return error("--as '%s' names no PATH (use --as NAME PATH)", as);
			as = optarg;
			break;
		case 'T':
			if (as)
				return error("--as '%s' cannot name a --files-from list", as);
			a->in[a->nin].path = optarg;
			a->in[a->nin++].list = 1;
			break;
		case '0': a->nul = 1; break;
		case O_FOLLOW: a->in_flags |= SCELLE_INPUT_FOLLOW; break;
		case O_OS_JUNK: a->in_flags |= SCELLE_INPUT_EXCLUDE_OS_JUNK; break;
		case O_EXCLUDE: r = scelle_sealer_add_exclude(s, optarg); break;
		case O_ITEM_INFO: r = scelle_sealer_set_item_info(s, optarg); break;
		case O_LIST_DEPTH:
			a->list_depth = atoi(optarg);
			if (a->list_depth < 1 || a->list_depth > 8)
				return error("invalid depth '%s' (1 to 8)", optarg);
			break;
		case O_LIST_MAX_BYTES:
			if (parse_size(optarg, &a->list_max_bytes))
				return EXIT_USAGE;
			break;
		case 'o': a->out = optarg; break;
		case 'k': a->key = optarg; break;
		case 'c': a->cert = optarg; break;
		case 'f': a->force = 1; break;
		case 'q': quiet = 1; break;
		case O_JSON: a->json = 1; break;
		case O_COMPRESS:
			if (strcmp(optarg, "auto") == 0)
				scelle_sealer_set_compress(s, SCELLE_COMPRESS_AUTO);
			else if (strcmp(optarg, "max") == 0)
				scelle_sealer_set_compress(s, SCELLE_COMPRESS_MAX);
			else if (strcmp(optarg, "none") == 0)
				scelle_sealer_set_compress(s, SCELLE_COMPRESS_NONE);
			else
				return error("invalid compression '%s' (use auto, max or none)", optarg);
			break;
		case O_PROGRESS:
			if (set_progress_mode(optarg))
				return EXIT_USAGE;
			break;
		case O_CHAIN: a->chain[a->nchain++] = optarg; break;
		case O_PASS:
			free(a->pass);
			if (!(a->pass = pass_from_arg(optarg)))
				return EXIT_USAGE;
			break;
		case O_CASE:
			if (add_case(s, optarg))
				return EXIT_USAGE;
			break;
		case O_PKCS11_MODULE: r = scelle_sealer_set_pkcs11_module(s, optarg); break;
		case O_RSA_PADDING: r = scelle_sealer_set_rsa_padding(s, optarg); break;
		case O_SIGNATURE: r = scelle_sealer_set_signature(s, optarg); break;
		case O_REVOCATION_DATA: r = scelle_sealer_add_revocation_data(s, optarg); break;
		case O_CASE_FILE: r = scelle_sealer_set_case_file(s, optarg); break;
		case O_OFFICER: text = "--officer"; r = scelle_sealer_set_officer(s, "name", optarg); break;
		case O_ROLE: text = "--role"; r = scelle_sealer_set_officer(s, "role", optarg); break;
		case O_UNIT: text = "--unit"; r = scelle_sealer_set_officer(s, "unit", optarg); break;
		case O_COUNTRY: r = scelle_sealer_set_officer(s, "country", optarg); break;
		case O_PLACE: text = "--place"; r = scelle_sealer_set_officer(s, "place", optarg); break;
		case O_DIGEST: r = scelle_sealer_add_digest(s, optarg); break;
		case O_ON_COLLISION:
			if (strcmp(optarg, "refuse") != 0 && strcmp(optarg, "rename") != 0)
				return error("invalid --on-collision '%s' (use refuse or rename)", optarg);
			scelle_sealer_set_on_collision(s, strcmp(optarg, "rename") == 0 ?
			    SCELLE_COLLISION_RENAME : SCELLE_COLLISION_REFUSE);
			break;
		case O_MAX_ENTRIES:
			if (strspn(optarg, "0123456789") != strlen(optarg) || parse_size(optarg, &a->max_entries))
				return error("invalid number of entries '%s'", optarg);
			break;
		case O_MAX_VOLUME_SIZE:
			if (parse_size(optarg, &a->max_size))
				return EXIT_USAGE;
			break;
		case O_PROFILE: a->profile = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			return SEAL_HELP;
		default:
			if ((r = group_option(opt, optarg, NULL, &a->to)) == 1)
				usage_hint("seal");
			if (r)
				return EXIT_USAGE;
		}
		if (r)
			return error("%s%s%s", text ? text : "", text ? ": " : "", scelle_sealer_errmsg(s));
	}
	for (; optind < argc; optind++) {	/* operands after "--" */
		a->in[a->nin].path = argv[optind];
		a->in[a->nin++].as = as;
		as = NULL;
	}
	if (as)
		return error("--as '%s' names no PATH (use --as NAME PATH)", as);
	if (!a->out || !a->key || a->nin == 0) {
		error("%s", !a->out ? _("no output given (-o OUT.asice)") : !a->key ?
		    _("no signing key given (--key)") : _("nothing to seal"));
		usage_hint("seal");
		return EXIT_USAGE;
	}
	return 0;
}

/* Phase "setup": what had to wait for every option: volumes, time-stamp authorities, the
 * signer and its chain, then the inputs.  0, or nonzero after an error message. */
static int seal_setup(struct scelle_sealer *s, struct seal_args *a, unsigned *nwarn)
{
	/* --max-entries or --max-volume-size given beside a profile wins over it */
	int dss = a->profile && strcmp(a->profile, "dss") == 0;
	int ecodex = a->profile && strcmp(a->profile, "e-codex") == 0;
	if (((a->max_entries || a->max_size) && scelle_sealer_set_volumes(s, a->max_entries, a->max_size)) ||
	    (a->profile && !(dss && a->max_entries) && !(ecodex && a->max_size) &&
	    scelle_sealer_set_volume_profile(s, a->profile)))
		return lib_error(scelle_sealer_errmsg(s), scelle_sealer_errhint(s));
	for (size_t i = 0; i < a->to.nurls; i++)
		if (scelle_sealer_add_tsa(s, a->to.urls[i]))
			return lib_error(scelle_sealer_errmsg(s), scelle_sealer_errhint(s));
	scelle_sealer_set_tsa_options(s, a->to.policy, a->to.timeout, a->to.optional);
	if (tsa_opts_https(&a->to) && scelle_sealer_set_tsa_access(s, a->to.ca, a->to.auth, a->to.cert, a->to.key))
		return lib_error(scelle_sealer_errmsg(s), scelle_sealer_errhint(s));
	scelle_sealer_set_pass_cb(s, cli_pass_cb, a->pass);
	scelle_sealer_set_progress_cb(s, cli_progress_cb, NULL);
	if (scelle_sealer_set_signer(s, a->key, a->cert))
		return lib_error(scelle_sealer_errmsg(s), scelle_sealer_errhint(s));
	*nwarn += print_warnings(s);
	/* after the key: a chain file may need the pass phrase, and follows the signer's own */
	for (size_t i = 0; i < a->nchain; i++)
		if (scelle_sealer_add_chain(s, a->chain[i]))
			return lib_error(scelle_sealer_errmsg(s), scelle_sealer_errhint(s));
	scelle_sealer_set_input_flags(s, a->in_flags);
	scelle_sealer_set_intake_limits(s, a->list_depth, 0, a->list_max_bytes);
	for (size_t i = 0; i < a->nin; i++) {
		if (a->in[i].list) {
			if (add_list(s, a->in[i].path, a->nul))
				return EXIT_USAGE;
		} else if (scelle_sealer_add_input(s, a->in[i].path, a->in[i].as))
			return lib_error(scelle_sealer_errmsg(s), scelle_sealer_errhint(s));
	}
	return 0;
}

/* Phase "report": what was written (every volume), on stdout or as JSON, and the summary
 * on stderr. */
static void seal_report(const struct scelle_sealer *s, const struct seal_args *a, unsigned nwarn)
{
	struct scelle_seal_summary sum;
	scelle_sealer_summary(s, &sum);
	size_t nvol = scelle_sealer_volume_count(s);	/* FORMAT.md §13 */
	if (a->json) {
		printf("{\"archive\":");
		json_str(stdout, nvol ? scelle_sealer_volume(s, nvol - 1, NULL, NULL) : a->out);
		if (nvol) {	/* the last volume's digests follow, as for one archive */
			printf(",\"set\":\"%s\",\"volumes\":[", scelle_sealer_set_id(s));
			for (size_t i = 0; i < nvol; i++) {
				const char *sid, *fd, *path = scelle_sealer_volume(s, i, &sid, &fd);
				printf("%s{\"archive\":", i ? "," : "");
				json_str(stdout, path);
				printf(",\"seal_id\":\"%s\",\"file_digest\":\"%s\"}", sid, fd);
			}
			printf("]");
		}
		printf(",\"seal_id\":\"%s\",\"file_digest\":\"%s\",\"summary\":{\"items\":%llu,"
		    "\"bytes\":%llu,\"links\":%llu,\"escaped_names\":%llu,\"excluded\":%llu,"
		    "\"warnings\":%u}}\n", scelle_sealer_seal_id(s), scelle_sealer_file_digest(s),
		    (unsigned long long)sum.items, (unsigned long long)sum.bytes,
		    (unsigned long long)sum.links, (unsigned long long)sum.escaped,
		    (unsigned long long)sum.excluded, nwarn);
	} else if (!quiet) {
		for (size_t i = 0; i < (nvol ? nvol : 1); i++) {
			const char *sid = scelle_sealer_seal_id(s), *fd = scelle_sealer_file_digest(s);
			const char *path = nvol ? scelle_sealer_volume(s, i, &sid, &fd) : a->out;
			printf(_("sealed %s\n"), shown(path));
			printf(_("seal identifier  %s\n"), sid);
			printf(_("file digest      %s  (sha256sum %s)\n"), fd, shown(path));
		}
		if (nvol)
			printf(_("volume set %s: %zu volumes, the set manifest in the last\n"),
			    scelle_sealer_set_id(s), nvol);
	}
	if (!quiet) {	/* what was sealed, on stderr: stdout keeps what scripts read */
		fflush(stdout);
		fprintf(stderr, _("summary: items %llu (%llu bytes), symbolic links %llu, names stored "
		    "escaped %llu, excluded %llu, warnings %u\n"), (unsigned long long)sum.items,
		    (unsigned long long)sum.bytes, (unsigned long long)sum.links,
		    (unsigned long long)sum.escaped, (unsigned long long)sum.excluded, nwarn);
	}
}

int cmd_seal(int argc, char **argv)
{
	struct scelle_sealer *s = scelle_sealer_new();
	struct seal_args a = { .in = calloc((size_t)argc + 1, sizeof(*a.in)),
		.chain = calloc((size_t)argc + 1, sizeof(*a.chain)) };
	unsigned nwarn = 0;
	int rc = EXIT_USAGE, r;

	if (!s || !a.in || !a.chain) {
		rc = error("out of memory");
		goto out;
	}
	if ((r = seal_options(s, argc, argv, &a)) != 0) {
		rc = r == SEAL_HELP ? 0 : EXIT_USAGE;
		goto out;
	}
	if (seal_setup(s, &a, &nwarn))
		goto out;
	if (scelle_sealer_write(s, a.out, a.force ? SCELLE_SEAL_FORCE : 0)) {
		cli_progress_end();
		print_warnings(s);	/* the TSAs that failed before */
		lib_error(scelle_sealer_errmsg(s), scelle_sealer_errhint(s));
		goto out;
	}
	cli_progress_end();
	nwarn += print_warnings(s);
	seal_report(s, &a, nwarn);
	rc = 0;
out:
	if (a.pass) {
		OPENSSL_cleanse(a.pass, strlen(a.pass));
		free(a.pass);
	}
	tsa_opts_free(&a.to);
	scelle_sealer_free(s);
	free(a.in);
	free(a.chain);
	return rc;
}
