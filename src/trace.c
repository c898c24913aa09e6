/* trace.c - what a reader of an agent trace looks for in its turns:
 * hand-offs, tool calls, outputs that failed */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "trace.h"

int trace_is(const struct item *it)
{
	return it->trace || (it->nsteps && it->steps && it->steps[0].agent);
}

static int same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* "exitcode: 1", "exit code 127", "exit status 2": a number after one of
 * the words, not 0 */
static int exit_nonzero(const char *t)
{
	static const char *const words[] = {"exitcode:", "exit code:", "exit code", "exit status",
					    "return code:", "returncode:"};
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		size_t n = strlen(words[w]);
		for (const char *p = t; (p = strcasestr(p, words[w])); p += n) {
			const char *d = p + n;
			while (*d == ' ' || *d == '\t')
				d++;
			if (*d == '-' && isdigit((unsigned char)d[1]))
				return 1;
			if (isdigit((unsigned char)*d) && !(*d == '0' && !isdigit((unsigned char)d[1])))
				return 1;
		}
	}
	return 0;
}

/* "HTTP/1.1 404", "status code 503", "Error 403", "429 Too Many Requests" */
static int http_error(const char *t)
{
	static const char *const lead[] = {"HTTP/1.0 ", "HTTP/1.1 ", "HTTP/2 ", "status code ",
					   "status code: ", "Error ", "error "};
	for (size_t w = 0; w < sizeof(lead) / sizeof(lead[0]); w++) {
		size_t n = strlen(lead[w]);
		for (const char *p = t; (p = strstr(p, lead[w])); p += n) {
			const char *d = p + n;
			if ((d[0] == '4' || d[0] == '5') && isdigit((unsigned char)d[1]) &&
			    isdigit((unsigned char)d[2]) && !isdigit((unsigned char)d[3]))
				return 1;
		}
	}
	static const char *const phrase[] = {"404 Not Found", "403 Forbidden", "500 Internal Server Error",
					     "502 Bad Gateway", "503 Service Unavailable",
					     "429 Too Many Requests"};
	for (size_t w = 0; w < sizeof(phrase) / sizeof(phrase[0]); w++)
		if (strstr(t, phrase[w]))
			return 1;
	return 0;
}

int trace_failed(const char *t)
{
	return t && (exit_nonzero(t) || strstr(t, "Traceback (most recent call last)") ||
		     http_error(t));
}

int trace_turn_is(const struct item *it, size_t i, enum trace_kind k, size_t ref)
{
	if (i >= it->nsteps)
		return 0;
	const struct step *st = &it->steps[i];
	switch (k) {
	case TK_HANDOFF:
		return i > 0 && !same(st->agent, it->steps[i - 1].agent);
	case TK_SAME:
		return ref < it->nsteps && same(st->agent, it->steps[ref].agent);
	case TK_TOOL:
		return strstr(st->text, "[tool call ") || strstr(st->text, "```");
	case TK_FAILED:
		return trace_failed(st->text);
	default:
		return 0;
	}
}
