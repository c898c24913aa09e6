/* taxonomy.h - error categories as data: the built-in taxonomies (one
 * file each under taxonomies/, one line in taxonomies.def) and one's own
 * file, read by one parser */
#ifndef SM_TAXONOMY_H
#define SM_TAXONOMY_H

#include <stddef.h>

/* At most this many categories (each gets a key of the chooser: a-z,
 * then A-Z) and this long a short name (the step line shows it). */
#define TAX_MAX 52
#define TAX_SHORT_MAX 16

struct tax_entry {
	char *key;   /* what the store keeps: [A-Za-z0-9._-], 1-32 bytes */
	char *name;  /* the short name shown on the step's line */
	char *desc;
	char *group; /* NULL when the file gives none */
};

struct taxonomy {
	char *name;  /* a built-in's name, or the file's path */
	struct tax_entry *e;
	size_t n;
	char **alias, **alias_key; /* another name data may use, and its key */
	size_t nalias;
};

/* Parses text (the file format of stepmarkrc(5), TAXONOMY FILES) into t,
 * named name; -1 with "WHERE:LINE: what is wrong" in err. */
int taxonomy_parse(struct taxonomy *t, const char *name, const char *where, const char *text,
		   char *err, size_t errlen);
/* The built-in of that name ("math", "mast"): 0, or -1 when none. */
int taxonomy_builtin(struct taxonomy *t, const char *name);
/* The file at path; -1 with the reason (file and line) in err. */
int taxonomy_load(struct taxonomy *t, const char *path, char *err, size_t errlen);
/* The taxonomy in force: the file of the taxonomy setting (path, "" or
 * NULL: none), else the built-in of the item's kind (an agent trace:
 * MAST; anything else: math). -1 with the reason in err. */
int taxonomy_for(struct taxonomy *t, const char *path, int trace, char *err, size_t errlen);
/* The category of that key, or that an alias names; NULL when none. */
const struct tax_entry *taxonomy_find(const struct taxonomy *t, const char *key);
void taxonomy_free(struct taxonomy *t);
/* The built-ins' names, NULL-ended. */
extern const char *const taxonomy_builtin_names[];

#endif
