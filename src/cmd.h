/* cmd.h - what the commands share */
#ifndef SM_CMD_H
#define SM_CMD_H

enum { EX_OK = 0, EX_BAD = 1, EX_USAGE = 2, EX_STORE = 3 };

/* Prints msg and a hint; returns EX_USAGE. */
int bad_usage(const char *msg);

int cmd_fetch(int argc, char **argv, const char *dbpath, const char *config_path);
int cmd_audit(int argc, char **argv, const char *dbpath);
int cmd_adjudicate(int argc, char **argv, const char *dbpath, const char *annotator,
		   const char *config_path);
int cmd_assign(int argc, char **argv, const char *dbpath);
int cmd_merge(int argc, char **argv, const char *dbpath);
int cmd_consensus(int argc, char **argv, const char *dbpath, const char *config_path);
int cmd_import_reference(int argc, char **argv, const char *dbpath);

#endif
