"""Union of the kept draws of several history matches of the same priors (same parameter list),
written as one calibrated.toml with a header recomputed from the union and the matches' trials."""
import csv, sys, tomllib

outs, target = sys.argv[1:-1], sys.argv[-1]
files = [tomllib.load(open(f"{d}/calibrated.toml", "rb")) for d in outs]
names = files[0]["accepted"]["parameters"]
assert all(f["accepted"]["parameters"] == names for f in files)
assert all(f["parameters"] == files[0]["parameters"] for f in files)
draws = [d for f in files for d in f["accepted"]["draws"]]
trials = [r for d in outs for r in csv.DictReader(open(f"{d}/trials.csv"))]
kept = [r for r in trials if r["kept"] == "1"]
assert len(kept) == len(draws)
commands = [open(f"{d}/calibrated.toml").read().splitlines()[1].lstrip("# ").strip() for d in outs]

def q(v, p):
    v = sorted(v); k = p * (len(v) - 1); i = int(k); f = k - i
    return v[i] if i + 1 >= len(v) else v[i] * (1 - f) + v[i + 1] * f

def fmt(x):
    return f"{x:.2e}" if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-4) else f"{x:.4g}"

lines = ["Calibrated priors of tokenmaxx: the union of the kept draws of the history matches"]
lines += [f"  {c}" for c in commands]
lines += ["(the same priors; each match draws at its own seeds, so the draws are independent).",
          "History matching: every draw of those priors runs the stylized facts (at seed",
          "seed + draw); a draw is kept when every calibration target passes. Replication r of a",
          "comparison takes one kept draw, chosen uniformly (docs/calibration.md).",
          f"Kept {len(kept)} of {len(trials)} draws ({100 * len(kept) / len(trials):.1f}%).",
          "Draws ruled out by each target (a draw can fail several):"]
facts = [k for k in trials[0] if k.startswith("fact_") and k.count("_") == 1]
import re
words = {}
for l in open(f"{outs[0]}/report.txt"):
    m = re.match(r"\s*fact\s+(\d+):\s+(?:\d+|passes in \d+ of \d+)\s+(.*)", l)
    if m: words[int(m.group(1))] = m.group(2).strip()
held = {17, 18, 19, 23, 24}
for k in facts:
    i = int(k.split("_")[1])
    if i in held: continue
    lines.append(f"  fact {i:2}: {sum(r[k] == '0' for r in trials):4}  {words.get(i, '')}")
lines.append("Kept range (5%-95% of kept draws) against the prior range:")
prior = files[0]["parameters"]
for j, n in enumerate(names):
    v = [d[j] for d in draws]; lo, hi = prior[n]["low"], prior[n]["high"]
    a, b = q(v, 0.05), q(v, 0.95)
    lines.append(f"  {n}: [{fmt(a)}, {fmt(b)}] of [{fmt(lo)}, {fmt(hi)}] ({100 * (b - a) / (hi - lo):.0f}% of the prior's width)")
lines.append("Held-out checks on the kept draws (never used to keep or reject):")
for i in sorted(held):
    lines.append(f"  fact {i}: passes in {sum(r[f'fact_{i}'] == '1' for r in kept)} of {len(kept)}  {words.get(i, '')}")
text = "\n".join("# " + l for l in lines) + "\n\n[parameters]\n"
for n in prior:
    text += f"\"{n}\" = {{ low = {prior[n]['low']!r}, high = {prior[n]['high']!r} }}\n"
text += "\n[accepted]\nparameters = [\n" + "".join(f"  \"{n}\",\n" for n in names) + "]\ndraws = [\n"
text += "".join("  [" + ", ".join(repr(x) for x in d) + "],\n" for d in draws) + "]\n"
open(target, "w").write(text)
print("\n".join(lines))
