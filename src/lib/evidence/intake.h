/* intake.h — what an evidence item holds: members of archives, WARC records, chat exports
 * (intake.c: listing, evidence.xml output; chat_export.h: the parsers). */
#ifndef SCELLE_INTAKE_H
#define SCELLE_INTAKE_H

#include "evidence.h"

#include "chat_export.h"

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
