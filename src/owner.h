/* owner.h - who holds a job's lease: "host:pid:nonce" (owner.c) */
#ifndef SM_OWNER_H
#define SM_OWNER_H

#include <stddef.h>

/* This process's name as a lease owner, nonce telling its runs apart. */
void owner_make(char *out, size_t n, unsigned long nonce);
/* 1 when owner is a process of this host that no longer runs (its jobs
 * can go back to the queue), 0 when it runs or is elsewhere. */
int owner_dead(const char *owner);

#endif
