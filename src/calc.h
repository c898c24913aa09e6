/* calc.h - checking the arithmetic claims in a step, exactly */
#ifndef SM_CALC_H
#define SM_CALC_H

#include "rat.h"
#include "util.h"

/* Evaluates an arithmetic expression (+ - * / ^, parentheses, \frac,
 * \times, \cdot, \div, x-free). 0 ok, -1 not an expression, -2 overflow
 * or division by zero. */
int calc_eval(const char *s, size_t n, struct rat *out);

/*
 * Finds the claims in text: GSM8K's <<expr=result>> annotations, and
 * "a op b = c" or chains "a = b = c" where every side is arithmetic and
 * at least one has an operator. A claim ends at a math delimiter, a list
 * bullet, prose or a relation other than =; a side holding or touching
 * math it cannot evaluate (\pi, a letter in math) is no claim, nor one
 * the text calls false. Whole quotients with a remainder and rounded
 * decimals are read as the text means them (stepmark(1), --calc).
 * Appends one line per claim to report
 * ("\"48/2 = 24\": true" or "\"3*4 = 13\": false, the left side is 12"). Returns the number
 * of false claims, and the number checked in *checked.
 */
int calc_check(const char *text, struct buf *report, int *checked);

#endif
