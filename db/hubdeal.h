/* hubdeal.h - the deal (stepmark assign's) and the consensus policy on
 * the hub: written by a lead in one transaction, pulled after a place by
 * every store (hubdeal.c; the store's side in deal.h) */
#ifndef SM_DB_HUBDEAL_H
#define SM_DB_HUBDEAL_H

#include <stddef.h>
#include <stdint.h>

struct hub;

/* A row of the deal or a version of the policy as it travels, as text
 * (NULL: SQL NULL): a deal's solution (data set and id), annotator,
 * place in their queue, gold (1, 0; NULL when the member may not know)
 * and its first error; a policy's rules. seq its place on the hub. */
enum {
	HD_KIND, HD_DATASET, HD_KEY, HD_ANNOTATOR, HD_ORD, HD_GOLD, HD_GOLD_FE, HD_AT, HD_BY,
	HD_RULES, HD_N
};
struct hub_deal_row {
	const char *f[HD_N]; /* HD_KIND: "deal" or "policy" */
	int64_t seq;
};
/* Rows after a place, oldest first; strings live until hub_deal_page_free. */
struct hub_deal_page {
	struct hub_deal_row *rows;
	size_t n;
	void *res;
};

/* The deal's write begun: the hub's transaction open, the deal locked
 * against other leads, *top the place of its last row (0 none). 0, -1
 * (the transaction rolled back; hub_errmsg: the server's word). */
int hub_deal_begin(struct hub *h, int64_t *top);
/* One row of the deal in that transaction onto the hub's solution
 * dataset/key whose steps hash to hash; gold_fe: -2 not gold, else its
 * first error (-1 none). 1 added, 0 the annotator has it already (it
 * keeps its place, as in a store), 2 no such solution on the hub (or
 * with other steps), -1 on error. */
int hub_deal_add(struct hub *h, const char *dataset, const char *key, const char *hash,
		 const char *annotator, int64_t ord, int gold_fe, const char *at);

/* The place of the deal's last row (0: the hub has no deal), read
 * without the deal's lock. 0, -1. */
int hub_deal_top(struct hub *h, int64_t *top);

/* A new version of the policy, in its own transaction. 0, -1. */
int hub_policy_set(struct hub *h, const char *rules, const char *at);
/* The policy in force: 1 (rules, who set it and when copied, each
 * truncated to its size), 0 none set, -1 on error. */
int hub_policy_get(struct hub *h, char *rules, size_t nr, char *by, size_t nb, char *at,
		   size_t na);

/* At most max rows of the deal this member may read and of the policy
 * after place after. 0, -1. */
int hub_deal_pull(struct hub *h, int64_t after, int max, struct hub_deal_page *p);
/* The same on the workbench's connection (hub_step moves it; 0, -1),
 * taken when it is done. */
int hub_send_deal_pull(struct hub *h, int64_t after, int max);
void hub_take_deal_pull(struct hub *h, struct hub_deal_page *p);
void hub_deal_page_free(struct hub_deal_page *p);

#endif
