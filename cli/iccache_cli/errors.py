"""Exit codes of the iccache command (documented in docs/guide.md, section "The iccache
command") and the error that carries one."""

EXIT_OK = 0
EXIT_SQL = 1        # the database or the extension refused (message from SQLite)
EXIT_USAGE = 2      # bad command line (argparse)
EXIT_INPUT = 3      # the input file is missing, unreadable or of unknown format
EXIT_BAD_DATA = 4   # a row of the input is bad; nothing was imported
EXIT_SETUP = 5      # the extension cannot be found or loaded
EXIT_INTERRUPTED = 130


class CliError(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.code = code
