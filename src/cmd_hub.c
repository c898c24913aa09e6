/* cmd_hub.c - `stepmark hub init` creates or upgrades the hub's schema,
 * roles and policies; `stepmark hub add NAME --role ROLE` makes NAME a
 * member (a PostgreSQL login role in the role's group); `stepmark hub
 * policy [RULES]` sets or shows the consensus policy in force on the hub;
 * and the hub's URL for the commands that reach it (cmd_hub_url) */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "consensus.h"
#include "name.h"
#include "util.h"
#include "../db/hub.h"
#include "../db/hubdeal.h"

const char cmd_hub_help[] =
	"    init                    create or upgrade the schema, roles and policies\n"
	"    add NAME --role annotator|adjudicator|lead|auditor|worker\n"
	"                            a member; --password-stdin: its password, the\n"
	"                            first line of standard input (else none)\n"
	"    policy [RULES]          set the consensus policy (a lead), or show the one\n"
	"                            in force\n";

enum { H_ROLE = 1000, H_PASSWORD_STDIN, H_HELP };

char *cmd_hub_url(const struct cmd_env *env)
{
	char *url = cmd_hub_url_if(env);
	if (!url)
		errf("stepmark: no hub: give --hub URL (a libpq connection string) or set hub in "
		     "the config (stepmarkrc(5))\n");
	return url;
}

char *cmd_hub_url_if(const struct cmd_env *env)
{
	if (env->hub && *env->hub)
		return xstrdup(env->hub);
	struct conf cfg;
	conf_init(&cfg);
	char *path = env->config ? xstrdup(env->config) : conf_path_default();
	if (path)
		conf_load(&cfg, path, env->config == NULL, stderr);
	free(path);
	char *url = cfg.set.hub && *cfg.set.hub ? xstrdup(cfg.set.hub) : NULL;
	conf_done(&cfg);
	return url;
}

static void usage_hub(FILE *f)
{
	fprintf(f, "usage: stepmark --hub URL hub init\n"
		   "       stepmark --hub URL hub add NAME --role ROLE [--password-stdin]\n"
		   "       stepmark --hub URL hub policy [RULES]\n%s",
		cmd_hub_help);
}

/* the hub, or NULL after saying why (*rc the exit status) */
static struct hub *connect_or_say(const struct cmd_env *env, int *rc)
{
	char *url = cmd_hub_url(env);
	*rc = EX_USAGE;
	if (!url)
		return NULL;
	*rc = EX_STORE;
	char err[600];
	struct hub *h = hub_connect(url, err, sizeof(err));
	free(url);
	if (!h)
		errf("stepmark: hub: cannot reach the hub: %s\n", err);
	return h;
}

static int hub_init_cmd(const struct cmd_env *env)
{
	int rc;
	struct hub *h = connect_or_say(env, &rc);
	if (!h)
		return rc;
	int from, to;
	rc = hub_init(h, &from, &to);
	if (rc == -2)
		errf("stepmark: hub: the hub has schema version %d, written by a newer stepmark; "
		     "this one knows versions up to %d: upgrade stepmark\n", from,
		     hub_schema_current());
	else if (rc < 0)
		errf("stepmark: hub: init failed (nothing changed): %s\n", hub_errmsg(h));
	else if (from == to)
		printf("hub: schema at version %d: nothing to do\n", to);
	else if (from == 0)
		printf("hub: schema created (version %d), with the roles stepmark_annotator, "
		       "stepmark_adjudicator, stepmark_lead, stepmark_auditor and "
		       "stepmark_worker\n", to);
	else
		printf("hub: schema upgraded from version %d to %d\n", from, to);
	hub_close(h);
	return rc < 0 ? EX_STORE : EX_OK;
}

/* the first line of standard input, without its newline; NULL when none */
static char *read_password(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int member_add(const struct cmd_env *env, const char *name, enum hub_role role,
		      int pw_stdin)
{
	char *pw = NULL;
	if (pw_stdin && !(pw = read_password())) {
		errf("stepmark: hub: --password-stdin: no password on standard input\n");
		return EX_BAD;
	}
	int rc;
	struct hub *h = connect_or_say(env, &rc);
	if (!h) {
		free(pw);
		return rc;
	}
	struct hub_me me;
	rc = EX_STORE;
	if (hub_whoami(h, &me) < 0) {
		errf("stepmark: hub: the hub failed: %s\n", hub_errmsg(h));
	} else if (me.version == 0) {
		errf("stepmark: hub: the hub has no schema yet: stepmark --hub URL hub init\n");
		rc = EX_BAD;
	} else {
		int r = hub_member_add(h, name, role, pw);
		if (r == 1) {
			errf("stepmark: hub: %s is a role of the server already (nothing changed)\n",
			     inert(name, 0));
			rc = EX_BAD;
		} else if (r < 0) {
			errf("stepmark: hub: adding %s failed: %s\n", inert(name, 0), hub_errmsg(h));
		} else {
			printf("hub: %s added as %s\n", inert(name, 0), hub_role_names[role]);
			rc = EX_OK;
		}
	}
	if (pw) {
		memset(pw, 0, strlen(pw));
		free(pw);
	}
	hub_close(h);
	return rc;
}

/* hub add NAME --role ROLE [--password-stdin] */
static int hub_add_cmd(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{"role", required_argument, NULL, H_ROLE},
		{"password-stdin", no_argument, NULL, H_PASSWORD_STDIN},
		{NULL, 0, NULL, 0},
	};
	int role = HUB_NONE, pw = 0, c;
	optind = 0;
	opterr = 0;
	/* argv[0] is "add": options may come before or after NAME */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == H_ROLE) {
			role = HUB_NONE;
			for (int i = HUB_ANNOTATOR; i < HUB_ROLES; i++)
				if (!strcmp(optarg, hub_role_names[i]))
					role = i;
			if (role == HUB_NONE)
				return bad_usage("hub add: --role is one of annotator, adjudicator, "
						 "lead, auditor, worker");
		} else if (c == H_PASSWORD_STDIN) {
			pw = 1;
		} else {
			char msg[300];
			snprintf(msg, sizeof(msg), "hub add: %s %s", inert(argv[optind - 1], 0),
				 c == ':' ? "needs a value" : "is not an option");
			return bad_usage(msg);
		}
	}
	if (optind != argc - 1 || role == HUB_NONE)
		return bad_usage("hub add takes one NAME and --role ROLE");
	const char *name = argv[optind];
	char why[400];
	if (name_check(name, strlen(name), "hub add: NAME", why, sizeof(why)) < 0)
		return bad_usage(why);
	return member_add(env, name, (enum hub_role)role, pw);
}

/* hub policy [RULES]: RULES checked by consensus's parser before the hub
 * is reached, then set (a lead's; the server refuses anyone else); with
 * none, the policy in force shown */
static int hub_policy_cmd(int argc, char **argv, const struct cmd_env *env)
{
	if (argc > 2)
		return bad_usage("hub policy takes one argument, the rules (quote them)");
	struct policy p = {0};
	char err[400];
	if (argc == 2 && policy_parse(argv[1], &p, err, sizeof(err)) < 0) {
		errf("stepmark: hub policy: %s (nothing set)\n", err);
		return EX_USAGE;
	}
	char *url = cmd_hub_url(env);
	struct hub_me me;
	int rc = EX_USAGE;
	struct hub *h = url ? cmd_hub_open("hub policy", url, &me, &rc) : NULL;
	if (h && argc == 2) {
		char now[32];
		now_iso(now);
		if (hub_policy_set(h, p.text, now) == 0) {
			printf("hub: policy set: %s\n", inert(p.text, 0));
			rc = EX_OK;
		} else {
			errf("stepmark: hub policy: the hub refused it%s: %s\n",
			     me.role == HUB_LEAD ? "" : " (only a lead sets the policy)",
			     inert(hub_errmsg(h), 0));
			rc = me.role == HUB_LEAD ? EX_STORE : EX_BAD;
		}
	} else if (h) {
		char rules[4096], by[200], at[64];
		int r = hub_policy_get(h, rules, sizeof(rules), by, sizeof(by), at, sizeof(at));
		if (r == 1) {
			printf("%s\n", inert(rules, 0));
			printf("set by %s at %s\n", inert(by, 0), inert(at, 1));
		} else if (r == 0) {
			errf("stepmark: hub policy: none set on the hub (a lead sets one: stepmark hub "
			     "policy 'RULES')\n");
		} else {
			errf("stepmark: hub policy: the hub failed: %s\n", inert(hub_errmsg(h), 0));
		}
		rc = r == 1 ? EX_OK : r == 0 ? EX_BAD : EX_STORE;
	}
	hub_close(h);
	policy_free(&p);
	return rc;
}

int cmd_hub(int argc, char **argv, struct cmd_env *env)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage_hub(stdout);
		return EX_OK;
	}
	if (argc == 2 && !strcmp(argv[1], "init"))
		return hub_init_cmd(env);
	if (argc >= 2 && !strcmp(argv[1], "add"))
		return hub_add_cmd(argc - 1, argv + 1, env);
	if (argc >= 2 && !strcmp(argv[1], "policy"))
		return hub_policy_cmd(argc - 1, argv + 1, env);
	return bad_usage("hub takes init, add NAME --role ROLE, or policy [RULES]");
}
