/* unit_util.c - buffers, escaping, names, UTF-8, hashing, the arena */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "guidelines.h"
#include "name.h"
#include "util.h"
#include "tap.h"

/* a plain validator to compare with: one code point at a time */
static int ref_valid(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = p[i], cp, min;
		size_t len;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, min = 0x10000;
		else
			return 0;
		if (i + len > n)
			return 0;
		cp = c & (0x7f >> len);
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* utf8_valid's eight-byte ASCII path agrees with the plain one on mostly
 * ASCII strings with a few bytes of every kind at every offset */
static void utf8_property(void)
{
	static const unsigned char odd[] = {0x80, 0xbf, 0xc2, 0xc3, 0xa9, 0xe4, 0xb8, 0xad,
					    0xed, 0xa0, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0xc0};
	unsigned char buf[64];
	int bad = 0;
	for (int t = 0; t < 200000; t++) {
		size_t n = tap_rnd(40);
		for (size_t i = 0; i < n; i++)
			buf[i] = tap_rnd(4) ? (unsigned char)('a' + tap_rnd(26)) : odd[tap_rnd(16)];
		if (utf8_valid((const char *)buf, n) != ref_valid(buf, n))
			bad++;
	}
	CHECK(bad == 0, "utf8_valid disagrees with the plain validator %d times", bad);
}

int main(void)
{
	utf8_property();
	struct buf b = {0};
	buf_json_str(&b, "a\"b\\c\n\x01\x1b]0;x\x07", 13);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\\u001b]0;x\\u0007\"");
	buf_reset(&b);
	buf_json_str(&b, "ok \xc3\xa9 \xff end", 11);
	CHECK_STR(b.data, "\"ok \xc3\xa9 \\ufffd end\"");
	buf_reset(&b);
	/* the characters of a text are those of its first k bytes, then of
	 * the rest, where byte k - 1 is ASCII (a prompt's prefix reused) */
	const char *jt = "a\"\xe4\xb8\n\xe4\xb8\xad\x01 \xf0\x9f\x98\x80\\z\xff!";
	size_t tn = strlen(jt);
	struct buf whole = {0};
	buf_json_chars(&whole, jt, tn);
	int split_same = 1;
	for (size_t k = 1; k < tn; k++) {
		if ((unsigned char)jt[k - 1] >= 0x80)
			continue;
		buf_reset(&b);
		buf_json_chars(&b, jt, k);
		buf_json_chars(&b, jt + k, tn - k);
		split_same &= !strcmp(b.data, whole.data);
	}
	CHECK(split_same, "the characters of a text, in two pieces cut after ASCII");
	buf_reset(&b);
	buf_json_str(&b, jt, tn);
	CHECK(b.len == whole.len + 2 && b.data[0] == '"' && b.data[b.len - 1] == '"' &&
	      !memcmp(b.data + 1, whole.data, whole.len), "the string is its characters quoted");
	buf_free(&whole);
	buf_reset(&b);
	buf_printf(&b, "%d-%s", 42, "x");
	CHECK_STR(b.data, "42-x");
	/* longer than the room a buffer starts with: formatted twice */
	buf_printf(&b, "%0300d|", 7);
	CHECK(b.len == 305 && !strcmp(b.data + 302, "07|"), "%zu", b.len);
	buf_reset(&b);
	/* each special byte found at every place of an 8-byte word */
	for (size_t at = 0; at < 20; at++) {
		const char specials[] = {'"', '\\', '\n', 0x1f, (char)0xc3};
		for (size_t k = 0; k < sizeof(specials); k++) {
			char s[24];
			memset(s, 'x', sizeof(s));
			s[at] = specials[k];
			CHECK(json_plain_run(s, sizeof(s)) == at, "byte %#x at %zu", specials[k], at);
		}
	}
	CHECK(json_plain_run("~ !#[]", 6) == 6, "printable ASCII runs on");
	buf_putll(&b, 0);
	buf_putc(&b, ' ');
	buf_putll(&b, -9223372036854775807LL - 1);
	buf_putc(&b, ' ');
	buf_putll(&b, 1234567890123LL);
	CHECK_STR(b.data, "0 -9223372036854775808 1234567890123");
	buf_reset(&b);
	/* every length of number, as printf writes it */
	int as_printf = 1;
	long long pw = 1;
	for (int d = 0; d < 19; d++, pw = d < 19 ? pw * 10 : pw)
		for (long long v = pw - 1; v <= pw + 1; v++) {
			char want[48];
			snprintf(want, sizeof(want), "%lld %lld", v, -v);
			buf_reset(&b);
			buf_putll(&b, v);
			buf_putc(&b, ' ');
			buf_putll(&b, -v);
			as_printf &= !strcmp(b.data, want);
		}
	buf_reset(&b);
	buf_putll(&b, 9223372036854775807LL);
	CHECK(as_printf && !strcmp(b.data, "9223372036854775807"), "numbers: %s", b.data);
	buf_reset(&b);
	struct hasher h;
	hasher_init(&h);
	hasher_add(&h, "abc", 3);
	char hex[33];
	hasher_hex(&h, hex); /* request hashes are cache keys: never a new value */
	CHECK_STR(hex, "906de8bf0cdf6a6be08cc1f4905ecf94");
	buf_free(&b);

	CHECK_STR(inert("a\x1b[2J\xc2\x9b\xff\x7f \xc3\xa9", 0), "a\\x1b[2J\\xc2\\x9b\\xff\\x7f \xc3\xa9");
	/* a right-to-left override reorders the rest of the terminal's line */
	CHECK_STR(inert("bob\xe2\x80\xae" "yrrol", 0), "bob\\u202eyrrol");
	CHECK_STR(inert("a\xe2\x80\x8b" "b\xef\xbb\xbf", 1), "a\\u200bb\\ufeff");

	/* names where they enter: the one validator (import, --annotator, merge) */
	char why[300];
	CHECK(name_check("alice", 5, "x", why, sizeof(why)) == 0, "a plain name");
	CHECK(name_check("Zo\xc3\xab L.", 7, "x", why, sizeof(why)) == 0, "a name in UTF-8");
	CHECK(name_check("cc88bf76-df08-4041-be67-3464279cb3b1", 36, "x", why, sizeof(why)) == 0,
	      "a UUID");
	CHECK(name_check("eve\0il", 6, "the labeler", why, sizeof(why)) < 0, "a NUL inside");
	CHECK_STR(why, "the labeler \"eve\\x00il\" holds a NUL character");
	CHECK(name_check("bob\xe2\x80\xaex", 7, "--annotator", why, sizeof(why)) < 0, "U+202E");
	CHECK(strstr(why, "\\u202e") != NULL, "the override shown inert in the reason");
	CHECK(name_check("a\x1b[2Jb", 7, "x", why, sizeof(why)) < 0, "an escape");
	CHECK(name_check("a\xc2\x9b" "b", 4, "x", why, sizeof(why)) < 0, "a C1 control");
	CHECK(name_check("a\xff" "b", 3, "x", why, sizeof(why)) < 0, "invalid UTF-8");
	CHECK(name_check("", 0, "x", why, sizeof(why)) < 0, "empty");
	CHECK(name_check(" eve", 4, "x", why, sizeof(why)) < 0, "a leading space");
	CHECK(utf8_valid("h\xc3\xa9llo \xe4\xb8\xad", 10), "valid utf-8");
	CHECK(!utf8_valid("\xc0\xaf", 2), "overlong");
	CHECK(!utf8_valid("\xed\xa0\x80", 3), "surrogate");
	CHECK(!utf8_valid("\xe4\xb8", 2), "truncated");

	struct hasher h1, h2;
	char x1[33], x2[33];
	hasher_init(&h1);
	hasher_init(&h2);
	hasher_add(&h1, "hello world, this is a test", 27);
	hasher_add(&h2, "hello wor", 9);
	hasher_add(&h2, "ld, this is a test", 18);
	hasher_hex(&h1, x1);
	hasher_hex(&h2, x2);
	CHECK_STR(x1, x2);
	hasher_add(&h2, "!", 1);
	hasher_hex(&h2, x2);
	CHECK(strcmp(x1, x2) != 0, "a byte more changes the hash");
	CHECK(hash64("abc", 3, 0) != hash64("abd", 3, 0), "hash64 differs");
	/* in any three pieces, short ones after held bytes too, the hash of
	 * the whole: a short piece once lost the bytes held before it */
	int same = 1;
	for (size_t i = 0; i <= 27; i++)
		for (size_t j = i; j <= 27; j++) {
			const char *t = "hello world, this is a test";
			hasher_init(&h2);
			hasher_add(&h2, t, i);
			hasher_add(&h2, t + i, j - i);
			hasher_add(&h2, t + j, 27 - j);
			hasher_hex(&h2, x2);
			same &= !strcmp(x1, x2);
		}
	CHECK(same, "every split of the text hashes as the whole");

	/* the guidelines' version: SHA-256 as sha256sum prints it, at the
	 * lengths where the padding takes one block or two */
	char sha[65], a64[64];
	memset(a64, 'a', sizeof(a64));
	sha256_hex("", 0, sha);
	CHECK_STR(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex(a64, 55, sha);
	CHECK_STR(sha, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	sha256_hex(a64, 56, sha);
	CHECK_STR(sha, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	sha256_hex(a64, 64, sha);
	CHECK_STR(sha, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");

	struct arena a = {0};
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 10000; i++) {
			char *p = arena_alloc(&a, 100);
			memset(p, i & 0xff, 100);
		}
		char *big = arena_alloc(&a, 5 << 20); /* larger than a block */
		memset(big, 1, 5 << 20);
		arena_reset(&a);
	}
	CHECK(a.used_total == 0, "reset empties");
	CHECK_STR(arena_strndup(&a, "abcdef", 3), "abc");
	arena_free(&a);
	return tap_done();
}
