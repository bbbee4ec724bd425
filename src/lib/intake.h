/* intake.h — what an evidence item holds: members of archives, WARC records, chat exports.
 * Shared by intake.c (listing, evidence.xml output) and chat_export.c (parsers). */
#ifndef SCELLE_INTAKE_H
#define SCELLE_INTAKE_H

#include "sealer.h"

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

struct listing;

struct member {
	char *path;			/* UTF-8 (escaped as item names are when it was not) */
	int kind;			/* 'f' file, 'd' folder, 'l' link, 'o' other */
	uint64_t size;			/* bytes read */
	int hashed;			/* sha256 covers the whole member */
	char sha256[65];
	char *media_type;		/* libmagic on the first bytes, NULL if empty */
	time_t mtime;			/* 0: not recorded */
	struct listing *inner;		/* members of an archive inside, or NULL */
};

struct warc_record {
	char *type, *uri, *date, *id, *content_type, *payload_digest, *block_digest;
	uint64_t length;
	char sha256[65];		/* of the record block */
	int payload_ok, block_ok;	/* 1 matches, 0 does not, -1 not checked */
};

enum { LIST_COMPLETE, LIST_TRUNCATED, LIST_DAMAGED };

struct listing {
	const char *format;		/* "zip", "tar", "7z", ..., "warc", "compressed" */
	const char *filter;		/* "gzip", "xz", ... or NULL */
	int status;
	char *error;			/* why damaged or truncated */
	struct member *m;
	size_t n, capm;
	struct warc_record *w;
	size_t nw, capw;
	struct chat_summary *chats;
	size_t nchats, capchats;
};

struct intake {
	struct listing *list;		/* the item is a container or a WARC file */
	struct chat_summary *chat;	/* the item is itself a _chat.txt or result.json */
	struct buf tee;			/* bytes of a chat file seen by seal_item (intake_feed) */
	int tee_state;			/* 0 undecided, 1 collecting, 2 not a chat file / too big */
};

/* intake.c: the listing of an archive or WARC file held in memory (for fuzzing). */
struct intake *intake_list_buffer(const void *p, size_t n, const struct intake_limits *lim,
    struct intake_budget *budget, void *magic);

#endif
