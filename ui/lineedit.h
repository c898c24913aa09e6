/* lineedit.h - the line editor of the workbench's prompts: no curses calls,
 * so tests drive it with any key stream. Keys are encoded as in tui.h:
 * characters as themselves, curses keys from KEY_BASE up. */
#ifndef SM_LINEEDIT_H
#define SM_LINEEDIT_H

#include <stddef.h>
#include "../src/util.h"

#define LE_MAX 4096 /* bytes a line may hold */

/* A history of lines, oldest first, at most LE_HIST kept. */
#define LE_HIST 200
struct le_history {
	char *line[LE_HIST];
	size_t n;
};
void le_history_add(struct le_history *h, const char *line);
void le_history_free(struct le_history *h);

struct lineedit {
	struct buf text; /* always holds a NUL-terminated string */
	size_t cur;      /* the cursor, a byte offset at a character's start */
	struct le_history *hist; /* NULL: none */
	size_t hpos;     /* hist->n while editing a new line */
	char *draft;     /* the new line, kept while browsing the history */
};

enum le_rc { LE_MORE, LE_DONE, LE_CANCEL, LE_COMPLETE };

void le_init(struct lineedit *e, const char *init, struct le_history *hist);
void le_free(struct lineedit *e);
/* One key: LE_DONE on Enter, LE_CANCEL on Esc or ^G (or Backspace in an
 * empty line), LE_COMPLETE on Tab (the caller calls le_complete). */
enum le_rc le_key(struct lineedit *e, int key);
/* The word before the cursor (from the last space), for completion. */
const char *le_word(const struct lineedit *e, size_t *len);
/* Completes the word before the cursor from names: one match is written
 * out with a space after it, several extend the word to what they share.
 * Returns the number of names that match. */
size_t le_complete(struct lineedit *e, const char *const *names, size_t n);
/* A key that types a character: its bytes in the locale's encoding into
 * mb (MB_LEN_MAX bytes), and how many; 0 for a control key, a curses
 * key or no character. Shared by every editor of the workbench. */
size_t le_key_text(int key, char *mb);

#endif
