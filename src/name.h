/* name.h - the names of annotators and sources, checked where they
 * enter the store (import, --annotator, assign, merge) */
#ifndef SM_NAME_H
#define SM_NAME_H

#include <stddef.h>

#define NAME_MAX_BYTES 200

/* 0 when the n bytes of s are a name stepmark keeps and shows as it
 * is: 1 to NAME_MAX_BYTES bytes of valid UTF-8, no NUL (a store would
 * cut "eve\0il" to "eve" on reading), no control character (C0, DEL,
 * C1), no format character (bidi controls such as U+202E, zero-width
 * ones: they make one name look like another), no space at either end.
 * Else -1 with the reason in why, the name made inert in it. what says
 * what the name is ("--annotator", "the labeler"). */
int name_check(const char *s, size_t n, const char *what, char *why, size_t whylen);

#endif
