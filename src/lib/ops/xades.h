/* xades.h — the XAdES baseline signature of `seal --signature xades` (FORMAT.md §5.2),
 * shared by xades.c (sealing) and xades_verify.c. */
#ifndef SCELLE_XADES_H
#define SCELLE_XADES_H
#include <libxml/tree.h>
#include "internal.h"

#define XADES_SIGNATURE	"META-INF/signatures001.xml"
#define ODF_MANIFEST	"META-INF/manifest.xml"
#define NS_XADES	"http://uri.etsi.org/01903/v1.3.2#"
#define NS_ODF_MANIFEST	"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
#define XADES_SP_TYPE	"http://uri.etsi.org/01903#SignedProperties"
#define ALG_EXC_C14N	"http://www.w3.org/2001/10/xml-exc-c14n#"
#define ALG_C14N	"http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define ALG_C14N11	"http://www.w3.org/2006/12/xml-c14n11"	/* libdigidocpp's */
#define ALG_SHA256	"http://www.w3.org/2001/04/xmlenc#sha256"
#define ALG_RSA_SHA256	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define ALG_ECDSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define EVIDENCE_XML_MEDIA_TYPE "application/xml"

/* The canonical form of the subtree at node (comments left out), by libxml2's C14N:
 * algorithm is ALG_EXC_C14N, ALG_C14N or ALG_C14N11.  0, or -1 (unknown algorithm, no memory). */
int xml_c14n_node(xmlDocPtr doc, xmlNodePtr node, const char *algorithm, struct buf *out);

/* DER IssuerSerial { issuer GeneralNames, serialNumber } of x (RFC 5035), for
 * SigningCertificateV2/Cert/IssuerSerialV2 (EN 319 132-1 §5.2.2.2).  0 or -1. */
int issuer_serial_der(X509 *x, struct buf *out);

/* Whether a name is META-INF/signatures*.xml (EN 319 162-1 §4.4.3). */
int is_xades_signature_name(const char *name);

/* The seal identifier of a XAdES archive (FORMAT.md §5.2): the hex SHA-256 of the canonical
 * SignedInfo of the one ds:Signature in xml[0..n), with its CanonicalizationMethod.
 * 0, or -1 when there is none (not well-formed, a DTD, not one signature). */
int xades_seal_id(xmlDocPtr doc, char hex[65]);
int xades_seal_id_of(const void *xml, size_t n, char hex[65]);

/* `stamp` (stamp.c): the XAdES signature file xml[0..n), one of scelle's, gains one
 * xades:SignatureTimeStamp per TSA that answers (xades.c, as at seal time: B-B becomes B-T,
 * and a time-stamped signature gains another); xml is replaced by the new file when
 * *added > 0.  The signed parts are not touched: the seal identifier stays.  TSA failures
 * as cades_add_timestamps (warnings, optional). */
struct tsa_options;
int xades_stamp(struct buf *xml, char *const *urls, size_t nurls, const struct tsa_options *opt,
    int optional, struct buf *warnings, int *added, struct scerr *e);

struct scelle_sealer;
/* Builds META-INF/signatures001.xml (B-B; B-T with the sealer's TSAs; B-LT values from the
 * sealer's revocation data) and META-INF/manifest.xml over the sealer's items and
 * evidence.xml (its SHA-256 given); seal_id gets the hex SHA-256 of the canonical
 * SignedInfo.  Errors and warnings go to the sealer. */
int xades_build(struct scelle_sealer *s, const unsigned char evidence_sha256[32],
    struct buf *sig, struct buf *manifest, char seal_id[65]);
#endif
