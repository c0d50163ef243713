"""DS-1000 programs in the codellm sandbox: one forked child per problem from a server that has
imported the heavy libraries once.

Usage (inside the sandbox, cwd = the run's work dir): python3 ds1000_harness.py batch.json > verdicts.jsonl
batch.json: {"timeout": seconds, "wall_factor": f, "programs": [{"id", "code_context", "answer"}...]}

For each program, in order, the server forks a child that runs the official DS-1000 program
(upstream test_ds1000.py: code_context, then `code = repr(answer)`, `test_execution(code)` and
`test_string(code)` when code_context defines it) in a fresh empty directory, with stdin, stdout
and stderr on /dev/null, and a CPU-time limit of `timeout` seconds (ITIMER_PROF raising
TimeoutError, RLIMIT_CPU as a backstop; a wall-clock limit of wall_factor x timeout catches a
sleeping child). Pass = the program raised nothing, as upstream. The child writes its verdict to
a pipe only it and the server hold; the server prints one JSON line per program on its standard
output as soon as it is known, so a batch cut short still yields the finished verdicts.

Isolation between problems: each child is a fresh fork (nothing it changes in memory reaches the
server or a later child) with stdin/stdout/stderr on /dev/null, and runs in its own directory.
When it ends, every other process in the sandbox except the server is killed and every file it
could have left for a later program is deleted (/tmp, /dev/shm, the work directory but for the
server's own two files), so nothing of one program reaches the next. The server is made
non-dumpable, so a child can neither ptrace it nor open its memory or its standard output through
/proc: the verdict lines of other programs cannot be forged. A program's own verdict is decided
in its own process, as upstream does: an answer written to forge its pass can (docs/eval.md).
"""
import ast
import json
import os
import select
import shutil
import signal
import socket
import sys
import time
import traceback
import urllib.error

# Heavy libraries imported once in the server when a program's code_context imports them.
PREIMPORT_ROOTS = ("numpy", "pandas", "scipy", "sklearn", "matplotlib", "torch", "seaborn", "PIL",
                   "statsmodels", "xgboost", "gensim", "tensorflow", "yaml")


def nondumpable():
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass


def imported_modules(code):
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def preimport(programs):
    done = {}
    for p in programs:
        for name in imported_modules(p["code_context"]):
            if name.split(".")[0] not in PREIMPORT_ROOTS or name in done:
                continue
            t = time.process_time()
            try:
                __import__(name)
                done[name] = round(time.process_time() - t, 3)
            except BaseException:
                done[name] = None  # the child will raise it where the program imports it
    return done


def program(code_context, answer):
    # Upstream's assembly, character for character.
    return (code_context + "\n"
            + "code = " + repr(answer) + "\n"
            + "test_execution(code)\n"
            + ("test_string(code)\n" if "test_string(" in code_context else "\n"))


def chain(e):
    seen = []
    while e is not None and e not in seen:
        seen.append(e)
        e = e.__cause__ or e.__context__
    return seen


def describe(e):
    out = {"error": (type(e).__name__ + ": " + str(e))[:500]}
    for x in chain(e):
        if isinstance(x, ModuleNotFoundError) and x.name and "missing_module" not in out:
            out["missing_module"] = x.name
        if isinstance(x, (urllib.error.URLError, socket.gaierror, socket.herror, ConnectionError)):
            out["network"] = True
    tb = traceback.extract_tb(e.__traceback__)
    if tb:
        out["where"] = "%s:%s" % (tb[-1].filename, tb[-1].lineno)
    return out


class CpuTimeout(Exception):
    pass


def child(prog, timeout, w):
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    import resource
    limit = int(timeout) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))

    def on_timer(signum, frame):
        raise CpuTimeout("over %s CPU seconds" % timeout)

    signal.signal(signal.SIGPROF, on_timer)
    signal.setitimer(signal.ITIMER_PROF, timeout)
    verdict = {"status": "pass"}
    try:
        exec(compile(program(prog["code_context"], prog["answer"]), "program", "exec"), {"__name__": "__main__"})
    except CpuTimeout:
        verdict = {"status": "timeout", "error": "over %s CPU seconds" % timeout}
    except BaseException as e:  # SystemExit too: upstream counts any exception as a failure
        verdict = dict({"status": "fail"}, **describe(e))
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    data = json.dumps(verdict).encode()
    os.write(w, data)
    os._exit(0)


# The sandbox's init (PID 1 inside) is `/bin/sh -c WRAPPER codellm-sandbox-init ...`
# (BwrapSandbox.INIT_NAME): its fourth argument names it.
SANDBOX_INIT = b"codellm-sandbox-init"


def in_own_pid_namespace():
    """True inside the codellm sandbox's PID namespace (its init, PID 1, is the sandbox's wrapper
    shell). Outside one, /proc lists the host's processes, and killing "every other process"
    would kill the host's: then only the child's session is killed and no file is wiped."""
    try:
        with open("/proc/1/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return len(args) > 3 and args[1] == b"-c" and args[3] == SANDBOX_INIT


KEEP = ("ds1000_harness.py", "batch.json")


def wipe(path, keep=()):
    try:
        names = os.listdir(path)
    except OSError:
        return
    for name in names:
        if name in keep:
            continue
        full = os.path.join(path, name)
        try:
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full, ignore_errors=True)
            else:
                os.unlink(full)
        except OSError:
            pass


def clean_up():
    """Files a program may have left for the next one: only inside the sandbox (/tmp is its own tmpfs)."""
    if not SANDBOXED:
        return
    wipe("/tmp", keep=("w",))
    wipe("/dev/shm")
    wipe(os.getcwd(), keep=KEEP)


def kill_strays(child_pid):
    try:
        os.killpg(child_pid, signal.SIGKILL)  # the child's session (it called setsid)
    except OSError:
        pass
    if not SANDBOXED:
        return
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, me):
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass


SANDBOXED = in_own_pid_namespace()


def run_one(prog, index, timeout, wall):
    work = os.path.join(os.getcwd(), "p%d" % index)
    os.mkdir(work)
    r, w = os.pipe()
    t0 = time.monotonic()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setsid()
            os.chdir(work)
            child(prog, timeout, w)
        finally:
            os._exit(3)
    os.close(w)
    data, status, timed_out = b"", None, False
    deadline = t0 + wall
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([r], [], [], min(left, 0.2))
        if ready:
            chunk = os.read(r, 65536)
            if not chunk or len(data) > 1 << 20:
                break
            data += chunk
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
        if status is not None and not ready:
            break  # the child is gone and nothing more came (a grandchild may hold the pipe open)
    os.close(r)
    if status is None:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        _, status = os.waitpid(pid, 0)
    kill_strays(pid)
    shutil.rmtree(work, ignore_errors=True)
    clean_up()
    wall_ms = int((time.monotonic() - t0) * 1000)
    if timed_out:
        return {"status": "timeout", "error": "over %s s wall clock" % wall, "wall_ms": wall_ms}
    try:
        verdict = json.loads(data.decode())
        if not isinstance(verdict, dict) or verdict.get("status") not in ("pass", "fail", "timeout"):
            raise ValueError
    except ValueError:
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            why = "killed by signal %d%s" % (sig, " (CPU limit)" if sig in (signal.SIGXCPU, signal.SIGKILL) else "")
            st = "timeout" if sig == signal.SIGXCPU else "fail"
        else:
            why, st = "no verdict (exit status %d)" % os.waitstatus_to_exitcode(status), "fail"
        verdict = {"status": st, "error": why}
    verdict["wall_ms"] = wall_ms
    return verdict


def main():
    with open(sys.argv[1]) as f:
        batch = json.load(f)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if p not in ("", ".", here, os.getcwd())]
    nondumpable()
    os.environ.setdefault("MPLBACKEND", "Agg")
    timeout = float(batch["timeout"])
    wall = timeout * float(batch.get("wall_factor", 3.0))
    programs = batch["programs"]
    t = time.process_time()
    imported = preimport(programs)
    sys.stderr.write("ds1000 harness: imported %s in %.2f CPU s\n" % (sorted(imported), time.process_time() - t))
    for i, prog in enumerate(programs):
        v = run_one(prog, i, timeout, wall)
        v["id"] = prog["id"]
        sys.stdout.write(json.dumps(v) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
