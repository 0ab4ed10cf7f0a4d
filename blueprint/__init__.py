"""blueprint: declare a system once; get its pictures, step lists and ERD from it.

    from blueprint import System

A script in `diagrams/` builds one `System`; `blueprint.build` renders it and the
MkDocs hooks in `blueprint.mkdocs_hooks` put pictures and steps on the pages.
"""

from blueprint.model import BlueprintError, Component, Connection, Path, Step, System

__all__ = ["BlueprintError", "Component", "Connection", "Path", "Step", "System"]
