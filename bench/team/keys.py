#!/usr/bin/env python3
"""A labelling session of N keys for bench/team, seeded by SEED: moving
in the queue and in a solution, rating (+ 0 -), first error (e), no
error (c), next unlabelled (u, J) and back (q). Usage: keys.py N SEED"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 600
r = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
out = []
in_solution = False
while len(out) < n:
    c = r.random()
    if not in_solution:
        if c < 0.35:
            out.append(r.choice(["j", "j", "k", "<PgDown>"]))
        elif c < 0.55:
            out.append("u")
        else:
            out.append("<Enter>")
            in_solution = True
    else:
        if c < 0.30:
            out.append(r.choice(["j", "j", "k", "g"]))
        elif c < 0.72:
            out.append(r.choice(["+", "+", "+", "0", "-"]))
        elif c < 0.80:
            out.append(r.choice(["e", "c"]))
        elif c < 0.90:
            out.append(r.choice(["u", "J"]))
        else:
            out.append("q")
            in_solution = False
print("\n".join(out))
