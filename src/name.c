/* name.c - the names of annotators and sources, checked where they
 * enter the store */
#include "config.h"

#include <stdio.h>

#include "name.h"
#include "util.h"

/* what is wrong with the character at s[0..n), or NULL; its length in *k */
static const char *bad_char(const char *s, size_t n, size_t *k)
{
	unsigned cp;
	*k = utf8_char(s, n, &cp);
	if (!*k) {
		*k = 1;
		return "is not valid UTF-8";
	}
	if (cp == 0)
		return "holds a NUL character";
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return "holds a control character";
	if (unicode_is_format(cp))
		return "holds an invisible or bidi format character (such as U+202E)";
	return NULL;
}

int name_check(const char *s, size_t n, const char *what, char *why, size_t whylen)
{
	const char *bad = NULL;
	if (!n)
		bad = "is empty";
	else if (n > NAME_MAX_BYTES)
		bad = "is longer than 200 bytes";
	else if (s[0] == ' ' || s[n - 1] == ' ')
		bad = "starts or ends with a space";
	for (size_t i = 0, k; !bad && i < n; i += k)
		bad = bad_char(s + i, n - i, &k);
	if (!bad)
		return 0;
	struct buf b = {0};
	inert_text_into(&b, s, n > NAME_MAX_BYTES ? NAME_MAX_BYTES : n, 0);
	snprintf(why, whylen, "%s \"%s%s\" %s", what, b.data ? b.data : "",
		 n > NAME_MAX_BYTES ? "..." : "", bad);
	buf_free(&b);
	return -1;
}
