"""Read `mutmut results --all true` on stdin; print the kill rate per module."""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

LINE = re.compile(r"^\s*(?P<name>[\w.]+?)\.x\w*__mutmut_\d+: (?P<status>[\w ]+)$")


def main() -> None:
    by_module: dict[str, Counter] = defaultdict(Counter)
    for line in sys.stdin:
        match = LINE.match(line.rstrip())
        if match:
            by_module[match["name"]][match["status"].strip()] += 1
    total = Counter()
    print(f"{'module':<34} {'killed':>7} {'survived':>9} {'other':>6} {'kill rate':>10}")
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        _row(module, counts)
    _row("all", total)


def _row(name: str, counts: Counter) -> None:
    killed = counts["killed"] + counts["timeout"]
    survived = counts["survived"]
    other = sum(counts.values()) - killed - survived
    judged = killed + survived
    rate = f"{100 * killed / judged:.1f} %" if judged else "-"
    print(f"{name:<34} {killed:>7} {survived:>9} {other:>6} {rate:>10}")


if __name__ == "__main__":
    main()
