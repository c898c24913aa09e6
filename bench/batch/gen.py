"""gen.py - bench/batch's data: N Math-Shepherd-sized solutions (five
steps, a gold answer) as generic JSON Lines, every problem distinct.
Usage: gen.py N"""
import json
import sys

STEPS = [
    "The total ratio representing the pizza is 5+8 = <<5+8=13>>13.",
    "The waiter ate 13 x 8 / 13 = <<13*8/13=8>>8 slices of the pizza.",
    "Buzz ate 78 - 8 = <<78-8=70>>70 slices of the pizza.",
    "The waiter ate twenty less than 8, which is 8 - 20 = -12.",
    "The answer is: -12",
]
PROBLEM = ("If Buzz bought a pizza with 78 slices at a restaurant and then decided to share "
           "it with the waiter in the ratio of 5:8, with Buzz's ratio being 5, what's twenty "
           "less the number of slices of pizza that the waiter ate?")

out = sys.stdout
for i in range(int(sys.argv[1])):
    out.write(json.dumps({"id": "ms-%d" % i, "problem": "%s [#%d]" % (PROBLEM, i),
                          "steps": STEPS, "gold": "-12"}) + "\n")
