/* unit_hubnews.c - the hub's offline reason fitted to the terminal's width */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "bghub.h"
#include "draw.h"
#include "tap.h"

static const char *fit(const char *news, int cols)
{
	static char out[1024];
	return bghub_fit_news(news, cols, out, sizeof(out));
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const char *pw = "hub offline: password authentication failed for user \"ann\"";
	CHECK_STR(fit(pw, 120), pw);
	CHECK_STR(fit(pw, 80), "hub offline: password authentication...");
	CHECK_STR(fit("hub: back online", 80), "hub: back online");

	/* a first word wider than the room: cut inside it, never to nothing */
	char longw[200] = "hub offline: ";
	memset(longw + strlen(longw), 'x', 100);
	const char *got = fit(longw, 80);
	CHECK(text_width(got, strlen(got)) == 43, "width %d", text_width(got, strlen(got)));
	CHECK(!strncmp(got, "hub offline: xxxxxxxx", 21) && strstr(got, "x...") != NULL, "%s", got);

	/* wide characters: whole, within the room */
	char cjk[400] = "hub offline: ";
	for (int i = 0; i < 40; i++)
		strcat(cjk, "\xe6\x97\xa0"); /* one character, two columns */
	got = fit(cjk, 80);
	int w = text_width(got, strlen(got));
	CHECK(w <= 43 && w >= 42, "width %d", w);
	CHECK(!strcmp(got + strlen(got) - 6, "\xe6\x97\xa0..."), "ends whole: %s", got);

	/* an escape shown as \x09 counts as the four columns it takes */
	got = fit("hub offline: a\\x09b\\x09c\\x09d\\x09e\\x09f\\x09g\\x09h\\x09i\\x09j", 80);
	CHECK(text_width(got, strlen(got)) <= 43, "%s", got);
	return tap_done();
}
