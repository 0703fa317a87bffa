"""scripts/quickstart.sh's walkthrough (QUICKSTART_SKIP_BUILD=1: on the built extension)
shows the whole loop, each step labelled in order, with what each step promises."""
import os
import re
import subprocess
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Quickstart(unittest.TestCase):
    def test_walkthrough_labels_every_step(self):
        p = subprocess.run(["bash", os.path.join(SOURCE, "scripts", "quickstart.sh")], capture_output=True, text=True,
                           env=dict(os.environ, QUICKSTART_SKIP_BUILD="1"))
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout
        self.assertEqual(re.findall(r"(?m)^== (\w+):", out),
                         ["import", "select", "prompt", "route", "feedback", "replay", "evict", "stats"])
        self.assertRegex(out, r"imported 2000 examples into ex")
        self.assertRegex(out, r"(?m)^ +1  0\.\d{3}  Natalia sold clips to 48")
        self.assertIn('"content": "Natalia sold 48 clips in April and half as many in May.', out)
        self.assertRegex(out, r"│ 1 +│ (small|large) ")  # decision 1 and its model
        self.assertRegex(out, r"(?m)^│ decisions_with_feedback │ 1 +│$")
        self.assertRegex(out, r"│ 1 +│ Natalia sold clips to 48 of her friends in April, +│ 0\.08 ")
        self.assertRegex(out, r'\{"evicted":\d+,"freed_bytes":\d+,"kept":\d+')
        self.assertRegex(out, r"(?m)^examples +\d+$")


if __name__ == "__main__":
    unittest.main(verbosity=2)
