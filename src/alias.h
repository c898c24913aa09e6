/* alias.h - short names for long annotator names: `alias NAME SHORT` in
 * the config, and automatic ones (L1, L2, ...) for names that are UUIDs
 * or hashes, numbered by each name's first label in the store, so they
 * stay the same from one session to the next. */
#ifndef SM_ALIAS_H
#define SM_ALIAS_H

#include <stddef.h>

struct db;

struct aliases {
	char **name, **alias;
	int *automatic;
	size_t n, cap;
};

/* From the config: 0, or -1 with the reason in why (a short name that
 * is taken, or too long). */
int alias_add(struct aliases *a, const char *name, const char *shortname, char *why,
	      size_t n);
/* The automatic ones the store keeps (L1, L2... for names of 20 or more
 * hex digits and dashes), after the config's: a name the config aliases,
 * or an alias it took, keeps the config's. -1 on a store error. */
int alias_auto(struct aliases *a, struct db *db);
/* The short name, or the name itself. */
const char *alias_of(const struct aliases *a, const char *name);
/* The name an alias stands for, or NULL. */
const char *alias_name(const struct aliases *a, const char *alias);
void alias_free(struct aliases *a);

#endif
