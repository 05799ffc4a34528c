#!/usr/bin/env python3
"""convert-expectations.py: rewrites the old dialects of expectations into the one grammar
of tests/EXPECTATIONS.md, keeping each one's meaning (run once, for issue 13):

  mutants (tests/katas/*/mutants/*.patch)   "rejected-by: S" -> "expect: stage=S status=fail found"
                                            (the self-test's old rule: the stage fails, and a
                                            detector with a finding, perf with a time)
  good designs (tests/katas/*/good/*.c)     "good: ..." -> that line, then "expect: status=pass"
  hostile programs (tests/hostile/*.c)      each "expect:" line with status=fail (said or by
                                            default) written out; the first stage line that
                                            expects a failure gets "first" (run.sh's old rule:
                                            the first stage named is the headline); and
                                            "expect: status=fail" when no line said the whole
                                            verdict's status (run.sh's default)
"""
import glob
import re
import sys


def mutant(path):
    text = open(path).read()
    new, n = re.subn(r"^rejected-by: *(\S+) *$", r"expect: stage=\1 status=fail found", text,
                     count=1, flags=re.M)
    assert n == 1, path
    open(path, "w").write(new)


def good(path):
    lines = open(path).read().split("\n")
    if any("expect:" in l for l in lines[:12]):
        return  # converted already
    first = lines[0]
    assert first.startswith("/* good:"), path
    if first.rstrip().endswith("*/"):
        lines[0:1] = [first.rstrip()[:-2].rstrip(), " * expect: status=pass", " */"]
    else:
        lines.insert(1, " * expect: status=pass")
    open(path, "w").write("\n".join(lines))


FIELD = re.compile(r'(^|\s)(stage|status)=("(?:[^"\\]|\\.)*"|[^\s"]+)')


def field(rest, key):
    for m in FIELD.finditer(rest):
        if m.group(2) == key:
            return m.group(3)
    return None


def hostile(path):
    lines = open(path).read().split("\n")
    # the header: the opening comment, as run.sh's header() read it
    end = next(i for i, l in enumerate(lines) if "*/" in l)
    primary_seen = whole = False
    last_expect = None
    for i in range(end + 1):
        m = re.match(r"^(\s*(?:/\*|\*)?\s*)expect: (.*)$", lines[i])
        if not m:
            continue
        lead, rest = m.group(1), m.group(2)
        last_expect = i
        if re.search(r'(^|\s)absent=', rest):
            continue  # run.sh checked only the text of such a line
        stage, status = field(rest, "stage"), field(rest, "status")
        if stage is None:
            whole = True
            continue
        words = rest
        if status is None:
            words = re.sub(r"^(stage=\S+)", r"\1 status=fail", words)
            status = "fail"
        if not primary_seen and status == "fail":
            words = re.sub(r"^(stage=\S+ status=\S+)", r"\1 first", words)
        primary_seen = True
        lines[i] = lead + "expect: " + words
    assert last_expect is not None, path
    if not whole:
        lead = re.match(r"^(\s*\*?\s*)", lines[last_expect]).group(1)
        lines.insert(last_expect + 1, lead + "expect: status=fail")
    open(path, "w").write("\n".join(lines))


def main():
    which = sys.argv[1:] or ["mutants", "good", "hostile"]
    if "mutants" in which:
        for p in sorted(glob.glob("tests/katas/*/mutants/*.patch")):
            mutant(p)
    if "good" in which:
        for p in sorted(glob.glob("tests/katas/*/good/*.c")):
            good(p)
    if "hostile" in which:
        for p in sorted(glob.glob("tests/hostile/*.c")):
            hostile(p)


main()
