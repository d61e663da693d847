"""Shared plumbing of the script tests: a pass/fail tally that prints each
failure and the closing line "N passed, N failed" that the test logs show."""


class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print('FAIL', what)
        return cond

    def finish(self):
        """Print the closing line; the exit status for sys.exit."""
        print('%d passed, %d failed' % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1
