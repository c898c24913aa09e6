/* reqset.h - what the fetch engine keeps by request hash (32 hex digits):
 * a set of hashes, and a table of replies (reqset.c) */
#ifndef SM_REQSET_H
#define SM_REQSET_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

/* A set of hashes, as 64-bit keys (odd; 2 marks one taken out). */
struct hset {
	uint64_t *v;
	size_t n, cap;
};
/* 1 when hash is in s; else it is put in, and 0. */
int hset_seen(struct hset *s, const char *hash);
/* 1 when hash is in s (nothing put in). */
int hset_has(const struct hset *s, const char *hash);
/* Asks the memory for hash's place in s now (a large set misses the
 * cache at each look-up: a job's requests are looked up after they are
 * all made). */
void hset_prefetch(const struct hset *s, const char *hash);
/* The same by hash's key (hset_key), made once for sets and calls. */
uint64_t hset_key(const char *hash);
int hset_seen_key(struct hset *s, uint64_t k);
int hset_has_key(const struct hset *s, uint64_t k);
void hset_prefetch_key(const struct hset *s, uint64_t k);
/* 1 when hash is in s, which it leaves. */
int hset_take(struct hset *s, const char *hash);
void hset_free(struct hset *s);

/* Replies by hash, in the order added (v[0..n-1]). */
struct reply {
	char hash[33];
	struct buf body;
};
struct replies {
	struct reply *v;
	size_t n, cap;
	uint32_t *idx;       /* by hash: index + 1, 0 empty */
	size_t capidx;
};
/* A copy of body under hash. */
void replies_add(struct replies *r, const char *hash, const char *body, size_t len);
/* The reply under hash, or NULL. */
const struct reply *replies_find(const struct replies *r, const char *hash);
/* Empty again, its memory kept. */
void replies_clear(struct replies *r);
void replies_free(struct replies *r);

#endif
