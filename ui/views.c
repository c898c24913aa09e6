/* views.c - the views' table and the keymaps' names, from VIEWS */
#include "config.h"

#include "tui.h"

#define VIEW_INFO(id, name, help, opens, open) {#name, KM_##id, help, opens, open},
#define VIEW_INFO_SHARED(id, name, km, opens, open) {#name, KM_##km, NULL, opens, open},
const struct view_info view_table[V_COUNT] = {VIEWS(VIEW_INFO, VIEW_INFO_SHARED)};

#define KEYMAP_NAME(id, name, ...) #name,
const char *const keymap_names[KM_COUNT] = {"generic", VIEWS(KEYMAP_NAME, VIEW_NOTHING)};

const struct view_info *view_info(const struct view *v)
{
	return &view_table[v->ops->id];
}

int view_open_by(struct tui *t, enum action a)
{
	if (a == A_NONE)
		return 0;
	for (int i = 0; i < V_COUNT; i++)
		if (view_table[i].opens == a && view_table[i].open) {
			tui_push(t, view_table[i].open(t));
			return 1;
		}
	return 0;
}
