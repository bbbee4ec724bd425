/* evidence.h — the evidence layer's private header (tests/layers.py): what is sealed and
 * recorded, as the files of that layer share it (names.c, intake.c, item_info.c,
 * evidence_xml.c, ledger.c). */
#ifndef SCELLE_EVIDENCE_H
#define SCELLE_EVIDENCE_H
#include "internal.h"

/* The sealing officer as evidence.xml states it (FORMAT.md §3: claims, not the signer;
 * custody record 1 repeats them).  Each malloc'ed or NULL; country upper case. */
struct officer {
	char *name, *role, *unit, *country, *place;
};

#endif
