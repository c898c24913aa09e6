/* guidelines.h - the labelling guidelines: a file (Markdown) read whole,
 * whose version is the SHA-256 of its bytes */
#ifndef SM_GUIDELINES_H
#define SM_GUIDELINES_H

#include <stddef.h>
#include <time.h>

/* The largest guidelines file read. */
#define GUIDELINES_MAX (8u << 20)

struct guidelines {
	char *path;      /* as set (NULL: none set) */
	char *text;      /* the file's bytes, NUL-ended; NULL when unread */
	size_t len;
	char hash[65];   /* the version: SHA-256 in hex, as sha256sum prints
			  * it; "" when none could be read */
	char err[320];   /* why the file could not be read ("" when it was),
			  * the path as given: show it inert */
	/* the file as last read: a change of any reloads it */
	long long ino, size;
	struct timespec mtime;
};

/* Reads path (a leading ~/ is $HOME) when it is not the one read, or
 * the file changed since (inode, size, modification time). NULL or ""
 * path: none set. Returns 1 when the version in force changed, else 0;
 * g->hash is "" and g->err says why when the file cannot be read. */
int guidelines_refresh(struct guidelines *g, const char *path);
void guidelines_free(struct guidelines *g);

/* SHA-256 of n bytes at p, as 64 hex digits. */
void sha256_hex(const void *p, size_t n, char out[65]);

#endif
