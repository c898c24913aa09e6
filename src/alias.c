/* alias.c - short names for long annotator names (see alias.h) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "db.h"
#include "util.h"

#define ALIAS_MAX 16

static const char *lookup(const struct aliases *a, const char *s, int by_alias)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(by_alias ? a->alias[i] : a->name[i], s))
			return by_alias ? a->name[i] : a->alias[i];
	return NULL;
}

static void put(struct aliases *a, const char *name, const char *shortname, int automatic)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->name[i], name)) { /* the newest line wins */
			free(a->alias[i]);
			a->alias[i] = xstrdup(shortname);
			a->automatic[i] = automatic;
			return;
		}
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->name = xrealloc(a->name, a->cap * sizeof(*a->name));
		a->alias = xrealloc(a->alias, a->cap * sizeof(*a->alias));
		a->automatic = xrealloc(a->automatic, a->cap * sizeof(*a->automatic));
	}
	a->name[a->n] = xstrdup(name);
	a->alias[a->n] = xstrdup(shortname);
	a->automatic[a->n++] = automatic;
}

int alias_add(struct aliases *a, const char *name, const char *shortname, char *why, size_t n)
{
	if (!*name || !*shortname) {
		snprintf(why, n, "alias needs a name and a short name");
		return -1;
	}
	if (strlen(shortname) > ALIAS_MAX) {
		snprintf(why, n, "alias %s: a short name has at most %d characters", inert(shortname, 0),
			 ALIAS_MAX);
		return -1;
	}
	for (const char *p = shortname; *p; p++)
		if (*p == ' ' || *p == ':' || (unsigned char)*p < 0x20) {
			snprintf(why, n, "alias %s: no spaces, colons or controls in a short name",
				 inert(shortname, 0));
			return -1;
		}
	const char *other = lookup(a, shortname, 1);
	if (other && strcmp(other, name)) {
		snprintf(why, n, "alias %s is taken by %s", inert(shortname, 0), inert(other, 1));
		return -1;
	}
	put(a, name, shortname, 0);
	return 0;
}

static void auto_one(void *arg, const char *name, const char *alias)
{
	struct aliases *a = arg;
	if (lookup(a, name, 0) || lookup(a, alias, 1))
		return; /* the config's own alias for it, or the config took it */
	put(a, name, alias, 1);
}

int alias_auto(struct aliases *a, struct db *db)
{
	return db_aliases(db, auto_one, a);
}

const char *alias_of(const struct aliases *a, const char *name)
{
	const char *s = a ? lookup(a, name, 0) : NULL;
	return s ? s : name;
}

const char *alias_name(const struct aliases *a, const char *alias)
{
	return lookup(a, alias, 1);
}

void alias_free(struct aliases *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->name[i]);
		free(a->alias[i]);
	}
	free(a->name);
	free(a->alias);
	free(a->automatic);
	memset(a, 0, sizeof(*a));
}
