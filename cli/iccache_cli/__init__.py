"""The iccache command line tool: see main.py."""
