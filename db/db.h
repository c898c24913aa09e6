/* db.h - the store: the only interface to SQL, one header per subject.
 * db/ is the only room that speaks SQL; everything above it includes
 * this header and calls the named operations below. */
#ifndef SM_DB_H
#define SM_DB_H

#include "store.h" /* open, lock, commit, trace */
#include "items.h" /* data sets, imports, items, summaries, annotators */
#include "scan.h"  /* stats and export */
#include "refs.h"  /* references, gold answers, alignments */
#include "work.h"  /* the workbench's solution, actions and search */
#include "queue.h" /* the queue's filters and windows */
#include "jobs.h"  /* background jobs and the response cache */
#include "agree.h" /* consensus */
#include "deal.h"  /* assignments */
#include "walk.h"  /* the whole store in solution order, for reports */
#include "merge.h" /* another store brought into this one */
#include "audit.h" /* what the audit reads beside the walk */
#include "team.h"  /* the team's progress */
#include "hubstore.h" /* the store's side of a sync with a hub (hub.h: the hub's) */
#include "hubdeal.h" /* the deal and the consensus policy on the hub */
#include "rounds.h" /* batch files' rounds and Ray Data's rows */
#include "hubcache.h" /* the hub's response cache and alignments, and the store's side */
#include "hubact.h" /* the workbench's actions on the hub, and the store's side */

#endif
