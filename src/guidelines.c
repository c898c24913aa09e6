/* guidelines.c - the labelling guidelines: read whole, versioned by the
 * SHA-256 of their bytes (FIPS 180-4), so that anyone can tell which
 * version a label was made under with sha256sum */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guidelines.h"
#include "util.h"

/* ---- SHA-256 ---- */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(uint32_t h[8], const unsigned char *b)
{
	uint32_t w[64], v[8];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		uint32_t s1 = ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25);
		uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint32_t t1 = v[7] + s1 + ch + K[i] + w[i];
		uint32_t s0 = ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22);
		uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		memmove(v + 1, v, 7 * sizeof(*v));
		v[4] += t1;
		v[0] = t1 + s0 + maj;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

void sha256_hex(const void *p, size_t n, char out[65])
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *s = p;
	size_t i = 0;
	for (; n - i >= 64; i += 64)
		sha256_block(h, s + i);
	unsigned char last[128] = {0};
	size_t rest = n - i, blocks = rest + 9 > 64 ? 2 : 1;
	if (rest)
		memcpy(last, s + i, rest);
	last[rest] = 0x80;
	uint64_t bits = (uint64_t)n * 8;
	for (int k = 0; k < 8; k++)
		last[blocks * 64 - 1 - k] = (unsigned char)(bits >> (8 * k));
	for (size_t k = 0; k < blocks; k++)
		sha256_block(h, last + 64 * k);
	for (int k = 0; k < 8; k++)
		snprintf(out + 8 * k, 9, "%08x", (unsigned)h[k]);
}

/* ---- the file ---- */
static char *expand(const char *path)
{
	const char *home = getenv("HOME");
	if (path[0] == '~' && path[1] == '/' && home && *home) {
		struct buf b = {0};
		buf_printf(&b, "%s%s", home, path + 1);
		return b.data;
	}
	return xstrdup(path);
}

static void unread(struct guidelines *g)
{
	free(g->text);
	g->text = NULL;
	g->len = 0;
	g->hash[0] = '\0';
}

/* the file whole into g; 0, or -1 with g->err */
static int load(struct guidelines *g, const char *full)
{
	FILE *f = fopen(full, "rb");
	struct buf b = {0};
	if (!f) {
		snprintf(g->err, sizeof(g->err), "cannot read %s: %s", g->path, strerror(errno));
		return -1;
	}
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= GUIDELINES_MAX)
		buf_add(&b, chunk, got);
	int bad = ferror(f), e = errno;
	fclose(f);
	if (bad || b.len > GUIDELINES_MAX) {
		snprintf(g->err, sizeof(g->err), "cannot read %s: %s", g->path,
			 bad ? strerror(e) : "larger than 8 MiB");
		buf_free(&b);
		return -1;
	}
	if (!b.data)
		buf_puts(&b, "");
	g->text = b.data;
	g->len = b.len;
	sha256_hex(g->text, g->len, g->hash);
	return 0;
}

int guidelines_refresh(struct guidelines *g, const char *path)
{
	char was[65];
	snprintf(was, sizeof(was), "%s", g->hash);
	if (!path || !*path) {
		guidelines_free(g);
		return was[0] != '\0';
	}
	char *full = expand(path);
	struct stat st;
	int found = stat(full, &st) == 0, same_path = g->path && !strcmp(g->path, path);
	if (same_path && g->text && found && (long long)st.st_ino == g->ino &&
	    (long long)st.st_size == g->size && st.st_mtim.tv_sec == g->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == g->mtime.tv_nsec) {
		free(full);
		return 0;
	}
	if (!same_path) {
		free(g->path);
		g->path = xstrdup(path);
	}
	unread(g);
	g->err[0] = '\0';
	if (!found || !S_ISREG(st.st_mode)) { /* a FIFO would hang, /dev/zero not end */
		snprintf(g->err, sizeof(g->err), "cannot read %s: %s", path,
			 !found ? strerror(errno) : S_ISDIR(st.st_mode) ? "a directory" :
			 "not a regular file");
	} else if (load(g, full) == 0) {
		g->ino = (long long)st.st_ino;
		g->size = (long long)st.st_size;
		g->mtime = st.st_mtim;
	}
	free(full);
	return strcmp(was, g->hash) != 0;
}

void guidelines_free(struct guidelines *g)
{
	free(g->path);
	free(g->text);
	memset(g, 0, sizeof(*g));
}
