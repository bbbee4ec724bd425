/* fuzz_intake.c — what seal records about an item (intake.c, chat_export.c, item_info.c):
 * the first byte picks the parser, the rest is the item.
 *   0  WhatsApp _chat.txt        1  Telegram result.json     2  --item-info CSV
 *   3+ an archive or WARC file, listed (members, nested archives, records) and written as
 *      evidence.xml <members>, with small caps and budgets so that bombs and long names
 *      hit them, and a check that the budgets hold */
#include <stdlib.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libxml/xmlwriter.h>
#include "fuzz.h"
#include "intake.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	xmlInitParser();
	return 0;
}

static void list(const uint8_t *p, size_t n)
{
	struct intake_limits lim = { 2, 200, 4u << 20 };
	/* the seal's budgets, small: what is written stays within the listing text charged,
	 * which stays within text_max (intake.c charge()) */
	struct intake_budget budget = { .text_max = 64u << 10, .entries_max = 150, .allowed = 1u << 20 };
	struct intake *in = intake_list_buffer(p, n, &lim, &budget, NULL);
	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
	int done = 0;
	if (in && w && xmlTextWriterSetIndent(w, 1) >= 0 && xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) >= 0 &&
	    xmlTextWriterStartElement(w, BAD_CAST "item") >= 0 && intake_xml_write(w, in) == 0)
		done = xmlTextWriterEndDocument(w) >= 0;
	if (w)
		xmlFreeTextWriter(w);
	if (done && ((uint64_t)xmlBufferLength(xb) > budget.text + 1024 || budget.text > budget.text_max ||
	    budget.entries > budget.entries_max || budget.inflated > budget.allowed))
		abort();	/* a budget did not hold */
	xmlBufferFree(xb);
	intake_free(in);
}

static void csv(const uint8_t *p, size_t n)
{
	int fd = memfd_create("item-info", MFD_CLOEXEC);
	char path[64];
	struct item_info_table *t = NULL;
	struct scerr e = { 0 };
	if (fd < 0 || write(fd, p, n) != (ssize_t)n) {
		if (fd >= 0)
			close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (item_info_load(path, &t, &e) == SCELLE_OK) {
		struct item items[2] = { { .src = (char *)"cap/ad.html", .name = (char *)"evidence/cap/ad.html" },
					 { .src = (char *)"x", .name = (char *)"evidence/x" } };
		item_info_attach(t, items, 2, &e);
	}
	item_info_free(t);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chat_summary cs;
	if (size == 0 || size > FUZZ_MAX_INPUT)
		return 0;
	switch (data[0]) {
	case 0: chat_whatsapp(data + 1, size - 1, &cs); break;
	case 1: chat_telegram(data + 1, size - 1, &cs); break;
	case 2: csv(data + 1, size - 1); break;
	default: list(data + 1, size - 1); break;
	}
	return 0;
}
