"""The graph test scripts' exit status as CTest reads it (graphs_support.main): a failure
is 1, a skipped test is SKIP_RETURN_CODE (77, shown as skipped, not passed), all passed 0."""
import subprocess
import sys
import unittest

import graphs_support
from graphs_support import HERE, SKIPPED, temp_dir

SCRIPT = """import sys
sys.path.insert(0, {here!r})
import unittest
import graphs_support

class T(unittest.TestCase):
    def test_a(self):
        {body}

    def test_b(self):
        pass

graphs_support.main()
"""


def run(test, body):
    script = temp_dir(test) / "t.py"
    script.write_text(SCRIPT.format(here=str(HERE), body=body))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60).returncode


class ExitStatus(unittest.TestCase):
    def test_all_passed_is_0(self):
        self.assertEqual(run(self, "pass"), 0)

    def test_a_skip_is_the_skip_code(self):
        self.assertEqual(SKIPPED, 77)
        self.assertEqual(run(self, "self.skipTest('no tool')"), SKIPPED)

    def test_a_failure_is_1_even_beside_a_skip(self):
        self.assertEqual(run(self, "self.fail('broken')"), 1)
        self.assertEqual(run(self, "raise RuntimeError('boom')"), 1)


if __name__ == "__main__":
    graphs_support.main()
