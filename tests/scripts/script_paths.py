"""Paths shared by the script tests (tests/scripts/*_test.py, run as `python3 TEST`, so this
folder is on sys.path): the repository, a script under scripts/, a fixture under tests/fixtures/.
Importing it also puts scripts/ on sys.path, so that a test can import the script it checks."""
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(REPO, "scripts")
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)


def script(name):
    """scripts/NAME."""
    return os.path.join(SCRIPTS, name)


def fixture(*parts):
    """tests/fixtures/PARTS..."""
    return os.path.join(REPO, "tests", "fixtures", *parts)
