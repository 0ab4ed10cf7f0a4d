"""`blueprint render`: validate every diagram script and render what changed, without a site build.

    blueprint render            render into the cache the site build reads
    blueprint render --check    render nothing; fail if a picture is invalid or out of date
    blueprint render --out DIR  also write every picture as DIR/<system>/<view>.svg
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from blueprint.build import build, cache_folder, check_published, stale
from blueprint.model import BlueprintError
from blueprint.notebook_pages import damaged_cache_entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="blueprint", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="validate and render every diagram")
    render.add_argument("--check", action="store_true", help="render nothing; fail if anything is invalid or out of date")
    render.add_argument("--out", type=Path, help="also copy every picture (and its icons) into this folder")
    render.add_argument("--root", type=Path, default=Path.cwd(), help="the project folder (default: here)")
    render.add_argument("--cache", type=Path, help="the render cache (default: $BLUEPRINT_CACHE, else ROOT/.cache/blueprint)")
    args = parser.parse_args(argv)

    root = args.root.resolve()
    cache = args.cache or cache_folder(root)
    try:
        if args.check:
            out_of_date = stale(root, cache)
            # the notebook pages mkdocs-jupyter caches, where `./run build` keeps them
            out_of_date += [
                f"notebook page {path.name} (corrupt cache entry in {path.parent})"
                for path in damaged_cache_entries(root / ".cache" / "mkdocs-jupyter")
            ]
            if out_of_date:
                print("blueprint: out of date or corrupt (run `./run render`): " + ", ".join(out_of_date), file=sys.stderr)
                return 1
            print("blueprint: every picture is valid and up to date")
            return 0
        catalogue = build(root, cache)
        check_published(catalogue)
    except BlueprintError as error:
        print(f"blueprint: {error}", file=sys.stderr)
        return 1
    print(f"blueprint: rendered {catalogue.rendered} of {len(catalogue.pictures)} pictures")
    if args.out:
        for picture in catalogue.pictures.values():
            target = args.out / picture.system.id / f"{picture.view}.svg"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(picture.svg, encoding="utf-8")
        shutil.copytree(catalogue.icons, args.out / "icons", dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.txt", "*.tmp"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
