"""Helpers shared by the end-to-end tests."""
import os
import tempfile
import unittest


class TempDirTest(unittest.TestCase):
    """A test case with a fresh temporary folder per test (self.dir, removed afterwards) and
    the path of a cache file in it (self.db, not created)."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.dir.name, "cache.db")

    def tearDown(self):
        self.dir.cleanup()
