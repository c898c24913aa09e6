/* reqset.c - what the fetch engine keeps by request hash: sets of
 * requests (those written to a batch file...), and the replies on their
 * way to the store's cache */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "reqset.h"

uint64_t hset_key(const char *hash)
{
	return hash64(hash, strlen(hash), 0xba7c4) | 1;
}

int hset_seen(struct hset *s, const char *hash)
{
	return hset_seen_key(s, hset_key(hash));
}

int hset_seen_key(struct hset *s, uint64_t k)
{
	if (s->n * 4 >= s->cap * 3) { /* grow at 3/4 full, keeping what is there */
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *t = xcalloc(cap, sizeof(*t));
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i] & 1) {
				size_t j = s->v[i] & (cap - 1);
				while (t[j])
					j = (j + 1) & (cap - 1);
				t[j] = s->v[i];
			}
		free(s->v);
		s->v = t;
		s->cap = cap;
	}
	size_t j = k & (s->cap - 1);
	while (s->v[j]) {
		if (s->v[j] == k)
			return 1;
		j = (j + 1) & (s->cap - 1);
	}
	s->v[j] = k;
	s->n++;
	return 0;
}

int hset_has(const struct hset *s, const char *hash)
{
	return s->cap ? hset_has_key(s, hset_key(hash)) : 0;
}

int hset_has_key(const struct hset *s, uint64_t k)
{
	if (!s->cap)
		return 0;
	for (size_t j = k & (s->cap - 1); s->v[j]; j = (j + 1) & (s->cap - 1))
		if (s->v[j] == k)
			return 1;
	return 0;
}

void hset_prefetch(const struct hset *s, const char *hash)
{
	if (s->cap)
		hset_prefetch_key(s, hset_key(hash));
}

void hset_prefetch_key(const struct hset *s, uint64_t k)
{
	if (s->cap)
		__builtin_prefetch(&s->v[k & (s->cap - 1)]);
}

int hset_take(struct hset *s, const char *hash)
{
	if (!s->cap)
		return 0;
	uint64_t k = hset_key(hash);
	for (size_t j = k & (s->cap - 1); s->v[j]; j = (j + 1) & (s->cap - 1))
		if (s->v[j] == k) {
			s->v[j] = 2;
			return 1;
		}
	return 0;
}

void hset_free(struct hset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static size_t slot_of(const struct replies *r, const char *hash)
{
	return hash64(hash, 32, 0x9075) & (r->capidx - 1);
}

void replies_add(struct replies *r, const char *hash, const char *body, size_t len)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	if ((r->n + 1) * 2 > r->capidx) { /* rebuild, twice as large */
		free(r->idx);
		r->capidx = r->capidx ? r->capidx * 2 : 256;
		r->idx = xcalloc(r->capidx, sizeof(*r->idx));
		for (size_t i = 0; i < r->n; i++) {
			size_t j = slot_of(r, r->v[i].hash);
			while (r->idx[j])
				j = (j + 1) & (r->capidx - 1);
			r->idx[j] = (uint32_t)i + 1;
		}
	}
	struct reply *c = &r->v[r->n];
	memcpy(c->hash, hash, 33);
	memset(&c->body, 0, sizeof(c->body));
	buf_add(&c->body, body, len);
	size_t j = slot_of(r, hash);
	while (r->idx[j])
		j = (j + 1) & (r->capidx - 1);
	r->idx[j] = (uint32_t)++r->n;
}

const struct reply *replies_find(const struct replies *r, const char *hash)
{
	if (!r->n)
		return NULL;
	for (size_t j = slot_of(r, hash); r->idx[j]; j = (j + 1) & (r->capidx - 1))
		if (!memcmp(r->v[r->idx[j] - 1].hash, hash, 32))
			return &r->v[r->idx[j] - 1];
	return NULL;
}

void replies_clear(struct replies *r)
{
	for (size_t i = 0; i < r->n; i++)
		buf_free(&r->v[i].body);
	r->n = 0;
	if (r->idx)
		memset(r->idx, 0, r->capidx * sizeof(*r->idx));
}

void replies_free(struct replies *r)
{
	replies_clear(r);
	free(r->v);
	free(r->idx);
	memset(r, 0, sizeof(*r));
}
