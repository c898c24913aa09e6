/* unit_util.c - buffers, escaping, UTF-8, hashing, the arena */
#include "config.h"

#include <stdlib.h>
#include "util.h"
#include "tap.h"

int main(void)
{
	struct buf b = {0};
	buf_json_str(&b, "a\"b\\c\n\x01\x1b]0;x\x07", 13);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\\u001b]0;x\\u0007\"");
	buf_reset(&b);
	buf_json_str(&b, "ok \xc3\xa9 \xff end", 11);
	CHECK_STR(b.data, "\"ok \xc3\xa9 \\ufffd end\"");
	buf_reset(&b);
	buf_printf(&b, "%d-%s", 42, "x");
	CHECK_STR(b.data, "42-x");
	buf_free(&b);

	CHECK_STR(inert("a\x1b[2J\xc2\x9b\xff\x7f \xc3\xa9", 0), "a\\x1b[2J\\xc2\\x9b\\xff\\x7f \xc3\xa9");
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
