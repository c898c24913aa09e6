#!/usr/bin/env python3
"""bench/align/mrgsm8k.py STORE - how the offline aligner links MR-GSM8K
steps that compute the same quantity as a reference step (issue 27).

A step's result is the value it computes: the last GSM8K annotation's
result (<<a*b=c>> gives c) or, without one, the number after its last
'='. For every solution step whose result equals the result of exactly
one reference step, it counts whether the aligner linked the two
(target: at least 95 %). A link is unfounded when the two steps share no
number and no content word (three letters or more): target at most 5 %
of links. Written from the issue's definitions, not from align.c."""
import re, sqlite3, sys
from fractions import Fraction

NUM = re.compile(r'(?<![\w.])-?\d[\d,]*(?:\.\d+)?')
ANN = re.compile(r'<<([^<>]*)>>')

def value(tok):
    try:
        return Fraction(tok.replace(',', '').rstrip('.'))
    except (ValueError, ZeroDivisionError):
        return None

def result(text):
    anns = ANN.findall(text)
    if anns and '=' in anns[-1]:
        return value(anns[-1].rsplit('=', 1)[1].strip())
    if '=' in text:
        after = ANN.sub(' ', text).rsplit('=', 1)[1]
        m = NUM.search(after.replace('$', ' '))
        return value(m.group(0)) if m else None
    return None

def numbers(text):
    t = ANN.sub(' ', text)
    return {v for v in (value(x) for x in NUM.findall(t.replace('$', ' '))) if v is not None}

STOP = {'the', 'and', 'for', 'that', 'this', 'with', 'are', 'was', 'has', 'have',
        'his', 'her', 'she', 'they', 'then', 'than', 'each', 'from', 'per', 'step',
        'which', 'what', 'there', 'their', 'will', 'into', 'total', 'now', 'our'}

def words(text):
    return {w for w in re.findall(r'[a-z]{3,}', ANN.sub(' ', text).lower()) if w not in STOP}

def ref_steps(ref):
    return [l for l in ref.split('\n') if l.strip() and not l.strip().startswith('####')]

db = sqlite3.connect(sys.argv[1])
sols = db.execute("""SELECT s.id, p.reference FROM solution s JOIN problem p
                     ON p.id = s.problem_id WHERE coalesce(p.reference, '') <> ''""").fetchall()
eligible = linked = links = unfounded = 0
missed = []
for sid, ref in sols:
    rs = ref_steps(ref)
    rres = [result(r) for r in rs]
    steps = db.execute("SELECT idx, text FROM step WHERE solution_id = ? ORDER BY idx",
                       (sid,)).fetchall()
    got = {(a, b) for a, b in db.execute("""SELECT step_idx, ref_step FROM alignment WHERE
           solution_id = ? AND source = 'align' AND step_idx >= 0 AND ref_step >= 0""", (sid,))}
    for idx, text in steps:
        r = result(text)
        match = [j for j, v in enumerate(rres) if r is not None and v == r]
        if len(match) == 1:
            eligible += 1
            if (idx, match[0]) in got:
                linked += 1
            else:
                missed.append((text, rs[match[0]]))
    for a, b in got:
        links += 1
        t = steps[a][1] if a < len(steps) else ''
        if b < len(rs) and not (numbers(t) & numbers(rs[b])) and not (words(t) & words(rs[b])):
            unfounded += 1
pct = lambda a, b: 100.0 * a / b if b else 0.0
print("MR-GSM8K: %d steps whose result is exactly one reference step's: %d linked to it (%.1f %%, target >= 95 %%)"
      % (eligible, linked, pct(linked, eligible)))
print("MR-GSM8K: %d links, %d to a reference step sharing no quantity and no content word (%.1f %%, target <= 5 %%)"
      % (links, unfounded, pct(unfounded, links)))
if len(sys.argv) > 2:
    for t, r in missed:
        print("  missed: %r\n      ref: %r" % (t[:150], r[:150]))
