/* owner.c - lease owners: a process named by host, pid and a nonce, and
 * whether one of this host is gone */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "owner.h"

/* this host's name, without the ':' that separates an owner's parts */
static void host(char *out, size_t n)
{
	if (gethostname(out, n - 1) < 0)
		snprintf(out, n, "localhost");
	out[n - 1] = '\0';
	out[strcspn(out, ":")] = '\0';
}

void owner_make(char *out, size_t n, unsigned long nonce)
{
	char h[64];
	host(h, sizeof(h));
	snprintf(out, n, "%s:%ld:%08lx", h, (long)getpid(), nonce);
}

int owner_dead(const char *owner)
{
	char h[64];
	host(h, sizeof(h));
	size_t hl = strlen(h);
	if (strncmp(owner, h, hl) != 0 || owner[hl] != ':')
		return 0;
	char *end;
	long pid = strtol(owner + hl + 1, &end, 10);
	if (*end != ':' || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}
