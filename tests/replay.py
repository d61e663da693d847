#!/usr/bin/env python3
"""Replay the witness corpus: every witnesses/**/*.case file through the program.

A case file is a list of steps.  Each step starts with `run: ARGS` (the
arguments after `ssmheads`), or `python: ARGS` (this Python interpreter with
ARGS: a script that writes a large input into {tmp}, say), and is followed by
expectations for that step:

    exit: N                  exit code (default 0)
    json: {...}              stdout is one JSON object containing these fields
                             (objects compared recursively as subsets; all
                             other values exactly)
    stdout-contains: TEXT    stdout contains TEXT
    stderr-contains: TEXT    stderr contains TEXT
    stdout-empty: yes        nothing on stdout
    exists: PATH             the file exists afterwards
    absent: PATH             the file does not exist afterwards (no partial output)
    stdin: PATH              feed this file on standard input
    timeout: SECONDS         a hard wall-clock guard: the step is killed and
                             the case fails if it runs longer (default 600;
                             multiplied by 20 when the program runs under
                             valgrind, i.e. its name starts with vg-)
    python-verified: PATH    the certificate is accepted by the second,
                             Python checker of its kind (tests/verify_*.py)

A step fails whatever its expectations when the program was killed by a
signal (a negative return code: SIGFPE, SIGSEGV, SIGABRT ...), exited 98 (the
sanitizers' exit code under `make check`) or printed a sanitizer report.

In ARGS and values, {here} is the case file's directory, {tmp} a fresh
temporary directory per case.  Lines starting with # are comments.
Prints one line per case and the closing line "N passed, N failed".
"""
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile


SANITIZER_MARKS = ("runtime error:", "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer")


def signal_name(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return "signal %d" % n


def python_verified(path):
    """None when the second (Python) checker of the certificate's kind
    accepts the file, else the reason."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import verify_heads  # noqa: E402 (the tests' own modules)
    if hasattr(sys, "set_int_max_str_digits"):   # Python's own 4300-digit guard, not the checker's
        sys.set_int_max_str_digits(0)
    try:
        with open(path) as f:
            cert = json.load(f)
        kind = cert.get("claim", {}).get("kind")
        mod = {"heads": "verify_heads", "gradient": "verify_gradient", "approx": "verify_approx",
               "represent": "verify_represent"}.get(kind)
        if mod is None:
            return "%s: no Python checker for kind %r" % (path, kind)
        __import__(mod).check(cert)
    except verify_heads.Reject as e:
        return "%s: rejected by the Python checker: %s" % (path, e)
    except Exception as e:  # Unjudged, malformed: not accepted either
        return "%s: not accepted by the Python checker: %s: %s" % (path, type(e).__name__, e)
    return None


def subset(expect, got, path="$"):
    if isinstance(expect, dict):
        if not isinstance(got, dict):
            return "%s: expected an object, got %r" % (path, got)
        for k, v in expect.items():
            if k not in got:
                return "%s.%s: missing" % (path, k)
            r = subset(v, got[k], "%s.%s" % (path, k))
            if r:
                return r
        return None
    if expect != got:
        return "%s: expected %r, got %r" % (path, expect, got)
    return None


def parse_case(path):
    steps = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if ":" not in line:
                raise ValueError("%s:%d: expected 'key: value'" % (path, lineno))
            key, val = line.split(":", 1)
            key, val = key.strip(), val.strip()
            if key in ("run", "python"):
                steps.append({"run": val, "kind": key, "expect": []})
            elif not steps:
                raise ValueError("%s:%d: '%s' before any 'run'" % (path, lineno, key))
            else:
                steps[-1]["expect"].append((key, val))
    return steps


def run_case(prog, path):
    here = os.path.dirname(os.path.abspath(path))
    with tempfile.TemporaryDirectory(prefix="ssmh_replay_") as tmp:
        def sub(s):
            return s.replace("{here}", here).replace("{tmp}", tmp)
        for i, step in enumerate(parse_case(path)):
            args = [sub(a) for a in shlex.split(step["run"])]
            stdin_data = None
            limit = 600.0
            for k, v in step["expect"]:
                if k == "stdin":
                    with open(sub(v), "rb") as f:
                        stdin_data = f.read()
                elif k == "timeout":
                    limit = float(v) * (20 if os.path.basename(prog).startswith("vg-") else 1)
            cmd = [sys.executable] + args if step["kind"] == "python" else [prog] + args
            try:
                p = subprocess.run(cmd, input=stdin_data, capture_output=True, timeout=limit)
            except subprocess.TimeoutExpired:
                return "step %d (%s): killed after %g s (timeout)" % (i + 1, step["run"], limit)
            out = p.stdout.decode("utf-8", "replace")
            err = p.stderr.decode("utf-8", "replace")
            want_exit = 0
            for k, v in step["expect"]:
                if k == "exit":
                    want_exit = int(v)
            where = "step %d (%s)" % (i + 1, step["run"])
            if p.returncode < 0:
                return "%s: killed by signal %d (%s); stderr: %s" % (
                    where, -p.returncode, signal_name(-p.returncode), err.strip()[:400])
            if p.returncode == 98 or any(s in err for s in SANITIZER_MARKS):
                return "%s: sanitizer report (exit %d): %s" % (where, p.returncode, err.strip()[:600])
            if p.returncode != want_exit:
                return "%s: exit %d, expected %d; stderr: %s" % (where, p.returncode, want_exit, err.strip()[:400])
            for k, v in step["expect"]:
                v = sub(v)
                if k == "json":
                    try:
                        got = json.loads(out)
                    except ValueError as e:
                        return "%s: stdout is not JSON (%s): %s" % (where, e, out[:200])
                    r = subset(json.loads(v), got)
                    if r:
                        return "%s: %s" % (where, r)
                elif k == "stdout-contains" and v not in out:
                    return "%s: stdout lacks %r: %s" % (where, v, out[:400])
                elif k == "stderr-contains" and v not in err:
                    return "%s: stderr lacks %r: %s" % (where, v, err[:400])
                elif k == "stdout-empty" and out:
                    return "%s: stdout not empty: %s" % (where, out[:200])
                elif k == "exists" and not os.path.exists(v):
                    return "%s: %s missing" % (where, v)
                elif k == "absent":
                    d = os.path.dirname(v) or "."
                    left = [f for f in os.listdir(d) if f.startswith(os.path.basename(v))] if os.path.isdir(d) else []
                    if left:
                        return "%s: left behind %s" % (where, left)
                elif k == "python-verified":
                    r = python_verified(v)
                    if r:
                        return "%s: %s" % (where, r)
                elif k not in ("exit", "json", "stdout-contains", "stderr-contains",
                               "stdout-empty", "exists", "absent", "stdin", "timeout",
                               "python-verified"):
                    return "%s: unknown expectation '%s'" % (where, k)
    return None


def main():
    prog = os.environ.get("SSMHEADS") or sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.environ.get("top_srcdir", "."), "witnesses")
    cases = []
    for d, _, files in os.walk(root):
        cases += [os.path.join(d, f) for f in files if f.endswith(".case")]
    cases.sort()
    passed = failed = 0
    for c in cases:
        try:
            r = run_case(prog, c)
        except Exception as e:  # a broken case file is a failure too
            r = "error: %s" % e
        rel = os.path.relpath(c, root)
        if r:
            failed += 1
            print("FAIL %s: %s" % (rel, r))
        else:
            passed += 1
            print("ok   %s" % rel)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
