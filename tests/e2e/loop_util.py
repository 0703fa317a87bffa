"""Helpers of the serving-loop tests: run examples/serving_loop.py, and examples/sim_server.py
on a free port of 127.0.0.1 for the duration of a test."""
import os
import subprocess
import sys

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(SOURCE, "examples")
LOOP = os.path.join(EXAMPLES, "serving_loop.py")
sys.path.insert(0, EXAMPLES)


def loop(*args):
    """(exit code, stdout, stderr) of the Python serving loop, run from the repository root."""
    p = subprocess.run([sys.executable, LOOP] + list(args), capture_output=True, text=True, cwd=SOURCE)
    return p.returncode, p.stdout, p.stderr


class SimServer:
    """examples/sim_server.py on a free port of 127.0.0.1; .url is its /v1 base URL."""

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, os.path.join(EXAMPLES, "sim_server.py"), "--port", "0"],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError("sim_server.py did not start: %r" % line)
        self.url = line.split()[-1]
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
