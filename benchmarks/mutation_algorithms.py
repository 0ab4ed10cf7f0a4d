"""Mutation testing of the algorithm snippets: which small bugs do their tests let through?

    .venv/bin/pip install 'mutmut==3.8.1'      (not needed by the test suite)
    .venv/bin/python benchmarks/mutation_algorithms.py [--minutes 20] [--show] [--keep]

mutmut plants one small change at a time in `snippets/algorithms/*.py` (a `<` becomes
`<=`, a constant moves by one, an argument disappears, ...) and runs the tests that reach
the changed function; a mutant that no test fails *survives*. This runs in a scratch copy
(the snippets as package `algorithms/`, their `tests/test_algorithms_*.py` importing it as
`algorithms`, and the concept pages whose quoted figures those tests check), so neither
the worktree nor the real test run is touched, and Hypothesis is derandomized there so
that a run is repeatable. It is slow (several minutes on two cores) and stays out of CI.

Prints every surviving mutant (with its diff when --show is given). Some survivors are
equivalent mutants: changes that cannot alter behaviour (a message's wording, `<` against
`<=` where equality cannot happen). The others are gaps in the tests.

Run of 2026-11-30 (mutmut 3.8.1, stopped at 20 minutes on two shared cores): 1,179
mutants, 841 killed, 10 timeouts, 1 without tests, 68 survived, 259 not reached in time
(mostly in rate_limiters.py and job_scheduler.py). The survivors that were real gaps now
have tests (marked "Killed mutant(s)" in tests/test_algorithms_*.py); the rest are
equivalent: error-message wording, initial values overwritten before use,
`popitem(last=None)` for `last=False`, `(5p - b) % 2` for `(5p + b) % 2`, and the geohash
search's precision choice, which only changes how many candidates are scanned.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")

PYPROJECT = """\
[tool.mutmut]
paths_to_mutate = ["algorithms/"]
tests_dir = ["tests/"]
do_not_mutate = [{skipped}]

[tool.pytest.ini_options]
pythonpath = ["."]
addopts = "-p no:cacheprovider -q"
"""

CONFTEST = """\
from hypothesis import settings

# The same examples in every run, and no deadline (mutants may be slow).
settings.register_profile("mutation", derandomize=True, deadline=None, max_examples=50)
settings.load_profile("mutation")
"""


def scratch_copy(folder: Path, only: set[str]) -> None:
    shutil.copytree(ROOT / "snippets" / "algorithms", folder / "algorithms",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "tests").mkdir()
    for test in sorted((ROOT / "tests").glob("test_algorithms_*.py")):
        shutil.copy(test, folder / "tests" / test.name)
    (folder / "tests" / "conftest.py").write_text(CONFTEST)
    # Some tests check the figures a concept page quotes: they read the pages.
    (folder / "docs" / "concepts").mkdir(parents=True)
    for page in sorted((ROOT / "docs" / "concepts").glob("*.md")):
        shutil.copy(page, folder / "docs" / "concepts" / page.name)
    # Tests of other modules import them too: every module is copied, some not mutated.
    skipped = sorted(path.name for path in (folder / "algorithms").glob("*.py")
                     if only and path.stem not in only)
    (folder / "pyproject.toml").write_text(
        PYPROJECT.format(skipped=", ".join(f'"algorithms/{name}"' for name in skipped)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20, help="stop the run after this long")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--only", default="", help="mutate only these modules (comma-separated)")
    args = parser.parse_args()
    if not MUTMUT.exists():
        print(f"{MUTMUT} is missing: pip install 'mutmut==3.8.1'", file=sys.stderr)
        return 2

    folder = Path(tempfile.mkdtemp(prefix="mutation-algorithms-"))
    try:
        scratch_copy(folder, {name.strip() for name in args.only.split(",") if name.strip()})
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        started = time.monotonic()
        try:
            run = subprocess.run([str(MUTMUT), "run", "--max-children", "2"], cwd=folder, env=env,
                                 timeout=args.minutes * 60, capture_output=True, text=True, check=False)
            finished = True
            if run.returncode:
                print(f"mutmut run failed ({run.returncode}):\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
                return 1
        except subprocess.TimeoutExpired:
            finished = False
        elapsed = time.monotonic() - started
        results = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=folder, env=env,
                                 capture_output=True, text=True, check=False).stdout
        statuses = re.findall(r"^\s+(\S+): (\S.*)$", results, flags=re.MULTILINE)
        counts: dict[str, int] = {}
        for _, status in statuses:
            counts[status] = counts.get(status, 0) + 1
        print(f"{'finished' if finished else 'stopped'} after {elapsed / 60:.1f} min: "
              + ", ".join(f"{count} {status}" for status, count in sorted(counts.items())))
        for name, status in statuses:
            if status not in ("killed", "not checked"):
                print(f"{status}: {name}")
                if args.show:
                    diff = subprocess.run([str(MUTMUT), "show", name], cwd=folder, env=env,
                                          capture_output=True, text=True, check=False).stdout
                    print("    " + diff.strip().replace("\n", "\n    "))
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
