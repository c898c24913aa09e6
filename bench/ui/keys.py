#!/usr/bin/env python3
"""A scripted labelling session of N keys for bench/ui: movement,
labelling, next-unlabelled, filter changes and search, seeded."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
r = random.Random(42)
words = ["answer", "total", "equation", "solve", "probability", "triangle"]
out = []
keys = 0
in_solution = False
while keys < n:
    if not in_solution:
        c = r.random()
        if c < 0.45:
            out.append(r.choice(["j", "j", "j", "k", "<PgDown>", "<PgUp>", "J"]))
        elif c < 0.55:
            out.append("u")
        elif c < 0.60:
            out.append("f")
        elif c < 0.63:
            out.append("/" + r.choice(words) + "<Enter>")
            keys += 8
        elif c < 0.65:
            out.append("n")
        else:
            out.append("<Enter>")
            in_solution = True
    else:
        c = r.random()
        if c < 0.40:
            out.append(r.choice(["j", "j", "k", "^E", "^Y", "g", "G"]))
        elif c < 0.70:
            out.append(r.choice(["+", "+", "0", "-", "x", "e", "c"]))
        elif c < 0.76:
            out.append(r.choice(["U", "^R"]))
        elif c < 0.84:
            out.append(r.choice(["J", "K", "u", "]"]))
        elif c < 0.86:
            out.append("/" + r.choice(words) + "<Enter>")
            keys += 8
        else:
            out.append("q")
            in_solution = False
    keys += 1
print("\n".join(out))
