/* bghub.h - the hub in the workbench's background (src/hubsync.c's
 * machine on a connection of its own to the store), and the loop's one
 * wait on the keys, the fetch engine's transfers and the hub's socket */
#ifndef SM_BGHUB_H
#define SM_BGHUB_H

#include <stddef.h>

struct tui;

/* Starts syncing with the hub url (NULL or "": the hub setting's; none:
 * nothing, no status). 0 with a message when it cannot. */
int bghub_start(struct tui *t, const char *url);
/* Between keys: its turn, its news in the status line. */
void bghub_idle(struct tui *t);
/* Waits up to ms for a key (when keys), the engine's transfers and the
 * hub's socket or its next time: 0 when neither runs (nothing waited). */
int bg_wait(struct tui *t, int keys, int ms);
/* 1 while a round is under way (its pages come in). */
int bghub_busy(const struct tui *t);
/* The hub's news (inert already) as the message line shows it on a
 * terminal cols wide: the reason of "hub offline: ..." cut to leave the
 * status line's fields beside it (30 columns at 80, more as it widens),
 * at a space, or inside its first word when none fits, with "..."; news
 * itself, or out (n bytes: 1024 hold any). */
const char *bghub_fit_news(const char *news, int cols, char *out, size_t n);
/* The status line's words: "N unsynced", "hub offline", else "". */
void bghub_status(struct tui *t, char *out, size_t n);
/* The last labels pushed if the hub answers (a moment at most), then
 * closed: how many stay unsynced (0 without a hub). */
long bghub_close(struct tui *t);

#endif
