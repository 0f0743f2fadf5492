"""Side by side: tokenmaxx's summary.json against model.py's JSON, figure by figure.

    python compare.py REF/summary.json numpy.json [--tolerance 0.10]

Prints every figure both have, their relative difference, and marks those beyond the tolerance
(relative to the binary's value; absolute for shares near 0)."""

import argparse
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ref")
    ap.add_argument("numpy")
    ap.add_argument("--tolerance", type=float, default=0.10)
    args = ap.parse_args()
    ref = json.load(open(args.ref))
    npy = json.load(open(args.numpy))
    print(f"| figure | tokenmaxx | numpy | difference | |")
    print(f"|---|---:|---:|---:|---|")
    off = 0
    for key, mine in npy.items():
        theirs = ref.get(key)
        if key in ("employees", "weeks", "seed") or not isinstance(theirs, (int, float)):
            continue
        if not isinstance(mine, (int, float)):
            continue
        diff = (mine - theirs) / abs(theirs) if theirs else (0.0 if mine == theirs else float("inf"))
        flag = "" if abs(diff) <= args.tolerance else "**beyond**"
        off += bool(flag)
        print(f"| `{key}` | {theirs:.6g} | {mine:.6g} | {diff:+.1%} | {flag} |")
    print(f"\n{off} figure(s) beyond {args.tolerance:.0%}")


if __name__ == "__main__":
    main()
