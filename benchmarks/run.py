"""Run every benchmark in this folder, one after another: ``python benchmarks/run.py``.

Each benchmark prints its own table with ratios against a baseline measured in the same run.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    scripts = sorted(p for p in HERE.glob("bench_*.py"))
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        argv, sys.argv = sys.argv, [str(script)]
        try:
            runpy.run_path(str(script), run_name="__main__")
        finally:
            sys.argv = argv


if __name__ == "__main__":
    main()
