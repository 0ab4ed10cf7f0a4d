"""Algorithms and data structures the system designs rely on.

Each module is shown on a concept page (pymdownx.snippets section markers) and
exercised by tests/test_algorithms_<concept>.py. Standard library only.
"""
