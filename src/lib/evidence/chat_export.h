/* chat_export.h — the chat export parsers (chat_export.c), used by intake.c. */
#ifndef SCELLE_CHAT_EXPORT_H
#define SCELLE_CHAT_EXPORT_H
#include "internal.h"

#define MAX_CHAT_BYTES (64u << 20)	/* a _chat.txt or result.json larger is not summarised */

/* A chat export recognised from its WhatsApp `_chat.txt` or Telegram Desktop `result.json`. */
struct chat_summary {
	const char *app;		/* "whatsapp" or "telegram" */
	char *member;			/* path inside the container, NULL for the item itself */
	uint64_t participants;		/* distinct senders */
	uint64_t messages;		/* messages with a sender (service lines not counted) */
	char first[32], last[32];	/* xs:dateTime of the first and last message, "" if none */
	const char *clock;		/* "UTC" or "local" (the exporting device's clock, zone unknown) */
	const char *date_order;		/* WhatsApp: how dates were read ("day-month", "month-day",
					 * "year-month-day", or "ambiguous" read as day-month) */
};
/* Each returns 1 and fills *out when the text is such an export, else 0. */
int chat_whatsapp(const unsigned char *p, size_t n, struct chat_summary *out);
int chat_telegram(const unsigned char *p, size_t n, struct chat_summary *out);
/* "whatsapp", "telegram" or NULL from the last component of a path. */
const char *chat_kind(const char *path);

#endif
