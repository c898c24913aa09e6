#!/usr/bin/env python3
"""The peer of bench/align: stepmark's offline aligner written again in
Python from its description in stepmark(1) (align) - the same reference
splitting, the same features (quantities as exact fractions, math
symbols, words), the same weighted Dice similarity and the same dynamic
programme - run over a store's solutions, its links written into a table
of their own in one transaction, as stepmark writes its own.

    peer.py STORE [MIN_SCORE]

Prints: solutions, links, seconds. The rows go to table peer_alignment
(step_idx, ref_step, score) so that run.sh can compare them with
stepmark's.
"""
import sqlite3
import sys
import time
from fractions import Fraction

SPACE = b" \t\n\r\f\v"


def alpha(c):
    return 65 <= c <= 90 or 97 <= c <= 122


def digit(c):
    return 48 <= c <= 57


def upper(c):
    return 65 <= c <= 90


# ---- the reference in steps ----

def trim(t, a, b):
    while a < b and t[a] in SPACE:
        a += 1
    while b > a and t[b - 1] in SPACE:
        b -= 1
    return (a, b) if a < b else None


def looks_gsm8k(t):
    a = t.find(b"<<")
    return (a >= 0 and t.find(b">>", a) >= 0) or t.startswith(b"#### ") or b"\n#### " in t


def split_lines(t):
    steps, a, n = [], 0, len(t)
    while a < n:
        nl = t.find(b"\n", a)
        b = nl if nl >= 0 else n
        s = a
        while s < b and t[s] in SPACE:
            s += 1
        if not (b - s >= 4 and t[s:s + 4] == b"####"):
            r = trim(t, a, b)
            if r:
                steps.append(r)
        a = b + 1
    return steps


def display_end(t, n, i):
    if t[i:i + 2] == b"$$":
        close = b"$$"
    elif t[i:i + 2] == b"\\[":
        close = b"\\]"
    elif n - i > 7 and t[i:i + 7] == b"\\begin{":
        rb = t.find(b"}", i + 7, n)
        if rb < 0 or rb - i > 40:
            return 0
        end = b"\\end{" + t[i + 7:rb] + b"}"
        e = t.find(end, rb)
        return e + len(end) if 0 <= e < n else n
    else:
        return 0
    k = i + 2
    while k + 1 < n:
        if t[k] == 92 and t[k + 1] != close[1] and close[0] == 92:
            k += 2
            continue
        if t[k] == close[0] and t[k + 1] == close[1]:
            return k + 2
        k += 1
    return n


def inline_end(t, n, i):
    if t[i] == 36:
        k = i + 1
        while k < n:
            if t[k] == 92:
                k += 2
                continue
            if t[k] == 36:
                return k + 1
            if t[k] == 10 and k + 1 < n and t[k + 1] == 10:
                return 0
            k += 1
        return 0
    if t[i:i + 2] == b"\\(":
        e = t.find(b"\\)", i + 2)
        return e + 2 if 0 <= e < n else n
    return 0


ABBREV = [b"e.g", b"i.e", b"etc", b"vs", b"Mr", b"Mrs", b"Ms", b"Dr", b"St", b"No",
          b"approx", b"cf", b"Fig", b"Eq"]


def sentence_ends(t, n, i):
    k = i + 1
    if k >= n or t[k] not in SPACE:
        return False
    while k < n and t[k] in SPACE:
        k += 1
    if k >= n:
        return False
    if not (upper(t[k]) or t[k] in b"$\\" or digit(t[k])):
        return False
    if t[i] != 46:
        return True
    w = i
    while w > 0 and (alpha(t[w - 1]) or t[w - 1] == 46):
        w -= 1
    return t[w:i] not in ABBREV


def split_prose(t):
    steps, start, i, n = [], 0, 0, len(t)

    def push(a, b):
        r = trim(t, a, b)
        if r:
            steps.append(r)
    while i < n:
        if t[i] == 92 and i + 1 < n and t[i + 1] == 36:
            i += 2
            continue
        e = display_end(t, n, i)
        if e:
            push(start, e)
            start = i = e
            continue
        e = inline_end(t, n, i)
        if e:
            last = t[e - 2] if e >= 2 else 0
            i = e
            if last in b".?!" and e < n and t[e] in SPACE and sentence_ends(t, n, e - 1):
                push(start, e)
                start = e
            continue
        if t[i] == 10 and i + 1 < n:
            k = i + 1
            while k < n and t[k] in b" \t\r":
                k += 1
            if k < n and t[k] == 10:
                push(start, i)
                start = k
            i = k
            continue
        if t[i] in b".!?" and sentence_ends(t, n, i):
            push(start, i + 1)
            i += 1
            start = i
            continue
        i += 1
    push(start, n)
    return steps


def ref_split(t):
    return split_lines(t) if looks_gsm8k(t) else split_prose(t)


# ---- features ----

LAYOUT = {b"left", b"right", b"text", b"textbf", b"mathrm", b"mathbf", b"quad", b"qquad",
          b"displaystyle", b"begin", b"end", b"boxed", b"bigl", b"bigr", b"Bigl", b"Bigr",
          b"big", b"Big", b"mbox", b"hspace", b"vspace", b"tfrac", b"dfrac", b"frac", b"emph",
          b"textit", b"operatorname", b"limits", b"nonumber", b"label"}
STOP = {w.encode() for w in (
    "the and for that this with are was were from have has had but not all can our its which "
    "then than there their they them these those into also each now so let get gives give since "
    "thus therefore hence will would should could what when where who how step answer find need "
    "use using know means mean equal equals both one any some out just may must here such being "
    "been did does she her hers his him you your yours who whom whose why very only again about "
    "over after before").split()}
INT64_MAX = (1 << 63) - 1


def parse_int(t, n, i, commas):
    x, k, group = 0, i, i
    while k < n:
        if digit(t[k]):
            if x > (INT64_MAX - 9) // 10:
                return None
            x = x * 10 + t[k] - 48
            k += 1
        elif (commas and t[k] == 44 and k - group <= 3 and k + 3 < n and digit(t[k + 1])
              and digit(t[k + 2]) and digit(t[k + 3]) and (k + 4 >= n or not digit(t[k + 4]))):
            k += 1
            group = k
        else:
            break
    return x, k


def frac_arg(t, n, i):
    k = i
    while k < n and t[k] == 32:
        k += 1
    if k < n and digit(t[k]):
        return t[k] - 48, k + 1
    if k >= n or t[k] != 123:
        return None
    k += 1
    while k < n and t[k] == 32:
        k += 1
    neg = k < n and t[k] == 45
    if neg:
        k += 1
    if k >= n or not digit(t[k]):
        return None
    r = parse_int(t, n, k, False)
    if r is None:
        return None
    v, e = r
    while e < n and t[e] == 32:
        e += 1
    if e >= n or t[e] != 125:
        return None
    return (-v if neg else v), e + 1


def quantities(t):
    out, i, n = {}, 0, len(t)
    while i < n:
        c = t[i]
        if c == 60 and i + 1 < n and t[i + 1] == 60:
            e = t.find(b">>", i)
            i = e + 2 if 0 <= e < n else n
            continue
        if c == 92 and i + 5 < n:
            k = c2 = i + 1
            while c2 < n and alpha(t[c2]):
                c2 += 1
            if t[k:c2] in (b"frac", b"dfrac", b"tfrac"):
                a = frac_arg(t, n, c2)
                b = frac_arg(t, n, a[1]) if a else None
                if a and b and b[0] != 0:
                    q = Fraction(a[0], b[0])
                    out[q] = 0.25 if q.denominator == 1 and -2 <= q.numerator <= 2 else 1.0
                    i = b[1]
                    continue
            i = c2 if c2 > k else k + 1
            continue
        if not digit(c):
            i += 1
            continue
        if i > 0 and (alpha(t[i - 1]) or t[i - 1] == 95):
            while i < n and digit(t[i]):
                i += 1
            continue
        r = parse_int(t, n, i, True)
        if r is None:
            while i < n and digit(t[i]):
                i += 1
            continue
        v, e = r
        q = Fraction(v)
        if e + 1 < n and t[e] == 46 and digit(t[e + 1]):
            d, x, k, over = 1, v, e + 1, False
            while k < n and digit(t[k]):
                if not over and d <= INT64_MAX // 10 and x <= (INT64_MAX - 9) // 10:
                    x = x * 10 + t[k] - 48
                    d *= 10
                else:
                    over = True
                k += 1
            e = k
            if over:
                i = e
                continue
            q = Fraction(x, d)
        elif e + 1 < n and t[e] == 47 and digit(t[e + 1]):
            r2 = parse_int(t, n, e + 1, False)
            if r2 is not None and r2[0] != 0:
                q = Fraction(v, r2[0])
                e = r2[1]
        p = i
        while p > 0 and t[p - 1] == 32:
            p -= 1
        if p > 0 and t[p - 1] == 45 and p == i:
            qq = p - 1
            while qq > 0 and t[qq - 1] == 32:
                qq -= 1
            if qq == 0 or not (alpha(t[qq - 1]) or digit(t[qq - 1]) or t[qq - 1] in b")}]"):
                q = -q
        out[q] = 0.25 if q.denominator == 1 and -2 <= q.numerator <= 2 else 1.0
        i = e
    return out


def symbols(t):
    out, math, i, n = {}, False, 0, len(t)
    while i < n:
        c = t[i]
        if c == 92 and i + 1 < n:
            d = t[i + 1]
            if d == 36:
                i += 2
                continue
            if d in b"([":
                math = True
                i += 2
                continue
            if d in b")]":
                math = False
                i += 2
                continue
            k = i + 1
            while k < n and alpha(t[k]):
                k += 1
            if k > i + 1 and t[i + 1:k] not in LAYOUT:
                out[(b"c", t[i + 1:k])] = 1.0
            if t[i + 1:k] == b"begin":
                math = True
            i = k if k > i + 1 else i + 2
            continue
        if c == 36:
            math = not math
            i += 1
            continue
        l, r = i, i + 1
        while l > 0 and t[l - 1] == 32:
            l -= 1
        while r < n and t[r] == 32:
            r += 1
        around = (l > 0 and digit(t[l - 1])) or (r < n and digit(t[r]))
        if c in b"+-*/<>^" and (math or around):
            out[(b"o", c)] = 0.5
        elif math and alpha(c) and (i == 0 or not alpha(t[i - 1])) and (i + 1 >= n or not alpha(t[i + 1])):
            out[(b"v", c)] = 1.0
        i += 1
    return out


def words(t):
    out, math, i, n = {}, False, 0, len(t)
    while i < n:
        c = t[i]
        if c == 36:
            math = not math
            i += 1
            continue
        if c == 92:
            if i + 1 < n and t[i + 1] in b"([":
                math = True
            elif i + 1 < n and t[i + 1] in b")]":
                math = False
            i += 2
            while i < n and alpha(t[i]):
                i += 1
            continue
        if not alpha(c):
            i += 1
            continue
        k = i
        while k < n and alpha(t[k]):
            k += 1
        ln = k - i
        if not math and 3 <= ln < 32:
            w = bytes(b | 0x20 for b in t[i:k])
            if ln > 4 and w[-1] == 115 and w[-2] != 115:
                w = w[:-1]
            if w not in STOP:
                out[w] = 1.0
        i = k
    return out


def skip_step_number(t):
    i, n = 0, len(t)
    while i < n and t[i] in SPACE:
        i += 1
    if n - i < 6 or t[i:i + 5] != b"Step ":
        return 0
    k = i + 5
    while k < n and digit(t[k]):
        k += 1
    if k == i + 5 or k >= n or t[k] not in b":.":
        return 0
    return k + 1


def result(t):
    """The value a step computes: the first quantity after its last '='
    outside GSM8K's annotations; None when none, or 0, 1 or 2."""
    eq, depth = -1, 0
    for i in range(len(t)):
        if t[i:i + 2] == b"<<":
            depth += 1
        elif t[i:i + 2] == b">>" and depth:
            depth -= 1
        elif t[i] == 61 and not depth:
            eq = i
    if eq < 0:
        return None
    q = quantities(t[eq + 1:])
    if not q:
        return None
    first = next(iter(q))
    return first if q[first] >= 1.0 else None


def features(t):
    t = t[skip_step_number(t):]
    q, s, w = quantities(t), symbols(t), words(t)
    return (q, sum(q.values())), (s, sum(s.values())), (w, sum(w.values())), result(t)


def dice(a, b):
    (ka, wa), (kb, wb) = a, b
    if wa + wb <= 0:
        return 0.0
    common = sum(v for k, v in ka.items() if k in kb)
    return 2 * common / (wa + wb)


def similarity(a, b):
    total = weight = 0.0
    for idx, wt in ((0, 0.55), (1, 0.15), (2, 0.30)):
        if a[idx][0] or b[idx][0]:
            total += wt * dice(a[idx], b[idx])
            weight += wt
    sim = total / weight if weight > 0 else 0.0
    if a[3] is not None and a[3] == b[3]:  # the same value computed
        sim = 0.5 + 0.5 * sim
    return sim


def restated(fs, fr, score, i, min_score):
    """the one reference step computing step i's value, above the threshold"""
    if fs[i][3] is None:
        return -1
    same = [j for j, f in enumerate(fr) if f[3] == fs[i][3]]
    return same[0] if len(same) == 1 and score[i][same[0]] >= min_score else -1


# ---- the alignment ----

NEG = -1e300


def align(steps, ref, min_score):
    spans = ref_split(ref)
    m, n = len(spans), len(steps)
    if not m:
        return []
    fs = [features(s) for s in steps]
    fr = [features(ref[a:b]) for a, b in spans]
    score = [[similarity(fs[i], fr[j]) for j in range(m)] for i in range(n)]
    g = [0.0] + [NEG] * m
    back = []
    for i in range(n):
        gn = g[:]
        fp = list(range(m + 1))
        fa = [-1] * (m + 1)
        run, arg = g[0], 0
        best, besta, bestp, c = NEG, -1, 0, 0.0
        row = score[i]
        for b in range(m):
            if g[b + 1] > run:
                run, arg = g[b + 1], b + 1
            if run > NEG and run - c > best:
                best, besta, bestp = run - c, b, arg
            c += row[b] - min_score
            h = best + c
            if besta >= 0 and h > gn[b + 1]:
                gn[b + 1], fp[b + 1], fa[b + 1] = h, bestp, besta
        back.append((fp, fa))
        g = gn
    end = 0
    for j in range(1, m + 1):
        if g[j] > g[end]:
            end = j
    ranges = [None] * n
    state = end
    for i in range(n - 1, -1, -1):
        fp, fa = back[i]
        ranges[i] = (fa[state], state - 1) if fa[state] >= 0 else None
        state = fp[state]
    links, covered = [], [False] * m
    for i, r in enumerate(ranges):
        if r:
            for j in range(r[0], r[1] + 1):
                links.append((i, j, score[i][j]))
                covered[j] = True
        j = restated(fs, fr, score, i, min_score)
        if j >= 0 and not (r and r[0] <= j <= r[1]):
            links.append((i, j, score[i][j]))
            covered[j] = True
            if not r:
                ranges[i] = (j, j)
    links += [(i, -1, None) for i, r in enumerate(ranges) if not r]
    links += [(-1, j, None) for j in range(m) if not covered[j]]
    return links


def main():
    db = sqlite3.connect(sys.argv[1])
    min_score = float(sys.argv[2]) / 100 if len(sys.argv) > 2 else 0.35
    t0 = time.monotonic()
    db.execute("DROP TABLE IF EXISTS peer_alignment")
    db.execute("CREATE TABLE peer_alignment (solution_id INTEGER, step_idx INTEGER, "
               "ref_step INTEGER, score REAL)")
    sols = links = 0
    rows = []
    cur = db.execute("SELECT s.id, p.reference FROM solution s JOIN problem p ON p.id = s.problem_id "
                     "WHERE p.reference IS NOT NULL AND p.reference <> '' ORDER BY s.id")
    for sol, ref in cur.fetchall():
        steps = [r[0].encode() for r in db.execute(
            "SELECT text FROM step WHERE solution_id = ? ORDER BY idx", (sol,))]
        out = align(steps, ref.encode(), min_score)
        sols += 1
        links += sum(1 for s, r, _ in out if s >= 0 and r >= 0)
        rows.extend((sol, s, r, v) for s, r, v in out)
    db.executemany("INSERT INTO peer_alignment VALUES (?, ?, ?, ?)", rows)
    db.commit()
    print(sols, links, round(time.monotonic() - t0, 3))


if __name__ == "__main__":
    main()
