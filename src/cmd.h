/* cmd.h - the commands: their table (commands.def), what they are given,
 * and what they share */
#ifndef SM_CMD_H
#define SM_CMD_H

#include <stddef.h>
#include <stdio.h>

enum { EX_OK = 0, EX_BAD = 1, EX_USAGE = 2, EX_STORE = 3 };

/* What main's options before the command say; a command's own --db,
 * --config or --annotator overrides them for itself. */
struct cmd_env {
	const char *dbpath;
	const char *annotator; /* NULL: the config's, else $USER */
	const char *config;    /* NULL: the default config file */
	int create;            /* --create: a store that does not exist yet */
	const char *hub;       /* --hub URL: NULL the config's hub setting */
	void (*usage)(FILE *fp); /* prints --help */
};

typedef int (*cmd_fn)(int argc, char **argv, struct cmd_env *env);
struct command {
	const char *name, *synopsis, *summary;
	cmd_fn run;
	const char *help; /* the options, as --help lists them */
};

/* One function and one help text per line of commands.def. */
#define _(id, name, synopsis, summary) \
	int cmd_##id(int argc, char **argv, struct cmd_env *env); \
	extern const char cmd_##id##_help[];
#include "commands.def"
#undef _

/* commands.c: the table, --help */
const struct command *command_find(const char *name); /* NULL: none */
void commands_usage(FILE *fp);

/* cmd_common.c */
/* Prints msg and a hint; returns EX_USAGE. */
int bad_usage(const char *msg);
/* --progress-every's argument: whole seconds above 0, else -1. */
long cmd_seconds(const char *arg);
struct db;
/* The store for a command that writes (it says when it waits for
 * another writer), or for one that only reads (never created or
 * changed); NULL when it cannot be opened, after saying why. */
struct db *cmd_open_store(const char *path);
/* db_open for a command that works on a store: a path where there is
 * none is refused (only import, and the workbench's --create, make a
 * store), with the reason in err. */
struct db *cmd_db_open(const char *path, char *err, size_t errlen);
struct db *cmd_open_store_ro(const char *path);
/* Warns on standard error when anyone can write the store at path (the
 * opening functions above call it). */
void cmd_store_warn(const char *path);
/* A command's progress line over the store's long operations (db's
 * progress hook): --quiet, --progress-every, what it does, its unit. */
struct progress;
void cmd_progress_begin(struct progress *p, struct db *db, int quiet, long every,
			const char *what, const char *unit);
/* The last frame kept, or after Ctrl-C the line ended and "stepmark:
 * stopped: " kept said; the hook removed. 1 when Ctrl-C stopped it. */
int cmd_progress_end(struct progress *p, struct db *db, const char *kept);
/* The hub: --hub, else the config's hub setting (config: --config's
 * file, NULL the default one); NULL after saying there is none. The
 * string is xmalloc'd and never printed (it may hold a password). */
char *cmd_hub_url(const struct cmd_env *env);
/* The same, NULL in silence when there is none. */
char *cmd_hub_url_if(const struct cmd_env *env);
/* The hub at url (freed) connected and checked for this member (a hub of
 * this stepmark's schema): NULL after saying why, as command what (*rc
 * the exit status). */
struct hub;
struct hub_me;
struct hub *cmd_hub_open(const char *what, char *url, struct hub_me *me, int *rc);
/* The store tied to the hub me->id (the first sync ties it): 0, else an
 * exit status after saying why. */
int cmd_hub_bind(const char *what, struct db *db, const struct hub_me *me);

#endif
