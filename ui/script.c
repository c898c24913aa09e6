/* script.c - the key-script reader: a line of keys ("jj<Enter>^R") or a
 * :command, comments and blank lines skipped */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "script.h"
#include "tui.h"
#include "../src/util.h"

void script_open(struct keyscript *s, FILE *f, double pace_ms)
{
	memset(s, 0, sizeof(*s));
	s->f = f;
	s->pace_ms = pace_ms;
}

/* The length of the key written at line[i] (a name in <>, ^X, a UTF-8
 * character, else one byte). */
static ssize_t key_len(const char *line, ssize_t i, ssize_t n)
{
	ssize_t len = 1;
	if (line[i] == '<') {
		const char *e = strchr(line + i, '>');
		if (e && e > line + i + 1)
			len = e - (line + i) + 1;
	} else if (line[i] == '^' && i + 1 < n) {
		len = 2;
	} else if ((unsigned char)line[i] >= 0x80) {
		while (i + len < n && ((unsigned char)line[i + len] & 0xc0) == 0x80)
			len++;
	}
	return len;
}

static void parse_keys(struct keyscript *s, const char *line, ssize_t n)
{
	s->nkeys = s->at = 0;
	for (ssize_t i = 0; i < n && s->nkeys < (int)ARRAY_SIZE(s->keys);) {
		ssize_t len = key_len(line, i, n);
		int k = key_parse(line + i, (size_t)len);
		if (!k && len > 1) {
			len = 1;
			k = (unsigned char)line[i];
		}
		s->keys[s->nkeys++] = k;
		i += len;
	}
}

/* Loads the next line: keys, or a :command. 0 at the end. */
static int read_line(struct keyscript *s)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, s->f)) >= 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] == ':') {
			free(s->cmd);
			s->cmd = xstrdup(line + 1);
		} else {
			parse_keys(s, line, n);
		}
		free(line);
		return 1;
	}
	free(line);
	return 0;
}

int script_next(struct keyscript *s, char **cmd)
{
	*cmd = NULL;
	while (s->at >= s->nkeys) {
		if (!read_line(s))
			return SCRIPT_END;
		if (s->cmd) {
			*cmd = s->cmd;
			s->cmd = NULL;
			return SCRIPT_CMD;
		}
	}
	return SCRIPT_KEY;
}

int script_take(struct keyscript *s)
{
	return s->keys[s->at++];
}

double script_due_in(const struct keyscript *s, double now)
{
	return s->next_at - now;
}

void script_paced(struct keyscript *s, double now)
{
	s->next_at = now + s->pace_ms;
}

void script_stop(struct keyscript *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
}

void script_free(struct keyscript *s)
{
	script_stop(s);
	free(s->cmd);
	s->cmd = NULL;
}
