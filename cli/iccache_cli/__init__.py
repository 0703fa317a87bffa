"""The iccache command line tool: see main.py."""

__version__ = "0.1.0"  # the project version of CMakeLists.txt (e2e cli_test checks they agree)
