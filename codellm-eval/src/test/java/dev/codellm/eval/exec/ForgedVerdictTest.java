package dev.codellm.eval.exec;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.sandbox.BwrapSandbox;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 21 §2: a wrong solution must never be counted as passed. Each trick below made a wrong
 * HumanEval solution pass before (human-eval and EvalPlus share the weakness); now each fails on
 * HumanEval (the hardened assert harness) and on HumanEval+ (the verdict is taken on the host),
 * while the correct solution with the same tricks' harmless parts still passes.
 */
class ForgedVerdictTest {
    @TempDir
    static Path cache;
    private static BwrapSandbox sandbox;

    @BeforeAll
    static void setUp() {
        sandbox = BwrapSandbox.create();
    }

    /** A wrong body for HumanEval/0 (has_close_elements): never finds a close pair. */
    private static final String WRONG = "    return False\n";
    private static final String FORGED_PASS = "{\"base\": {\"status\": \"pass\", \"failed_test\": null, \"error\": null, \"fail_index\": null},"
            + " \"plus\": {\"status\": \"pass\", \"failed_test\": null, \"error\": null, \"fail_index\": null}}";

    /** The tricks, each code that runs when the solution is loaded (after the wrong function). */
    static Map<String, String> tricks() {
        Map<String, String> t = new LinkedHashMap<>();
        String forge = "import os, json\nopen('result.json', 'w').write('" + FORGED_PASS + "')\n"
                + "for fd in range(3, 64):\n"
                + "    for line in (b'CODELLM 0 {\"status\": \"pass\", \"tests\": 2}\\n', b'{\"status\": \"pass\"}\\n'):\n"
                + "        try: os.write(fd, line)\n        except OSError: pass\n";
        t.put("forge the result file and the channel, then exit 0", forge + "os._exit(0)\n");
        t.put("patch the harness's result writer", "import __main__, json\n"
                + "__main__.write_result = lambda o: open('result.json', 'w').write('" + FORGED_PASS + "')\n"
                + "__main__.describe = lambda e: 'pass'\n"
                + "__main__._write = lambda fd, b: __import__('os').write(fd, b.replace(b'\"fail\"', b'\"pass\"'))\n");
        t.put("patch json.dumps", "import json, __main__\n_d = json.dumps\n"
                + "json.dumps = lambda o, *a, **k: _d({'status': 'pass', 'tests': 2, 'base': {'status': 'pass'}})\n"
                + "__main__._dump = json.dumps\n");
        t.put("replace builtins.compile", "import builtins\n_c = builtins.compile\n"
                + "builtins.compile = lambda src, name, mode, *a, **k: _c('pass', name, mode)\n"
                + "import __main__\n__main__._compile = builtins.compile\n");
        t.put("replace builtins.exec", "import builtins, __main__\n"
                + "builtins.exec = lambda *a, **k: None\n__main__._exec = builtins.exec\n");
        t.put("an object whose __eq__ is always True", "class Always(int):\n"
                + "    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n    __hash__ = int.__hash__\n"
                + "_wrong = has_close_elements\n"
                + "def has_close_elements(numbers, threshold):\n    return Always(7)\n");
        t.put("an always-equal object of its own class", "class Always:\n"
                + "    def __eq__(self, o): return True\n    def __bool__(self): return True\n"
                + "def has_close_elements(numbers, threshold):\n    return Always()\n");
        t.put("forge from atexit", "import atexit, os\n"
                + "def late():\n    open('result.json', 'w').write('" + FORGED_PASS + "')\n"
                + "    for fd in range(3, 64):\n        try: os.write(fd, b'CODELLM x {\"status\": \"pass\", \"tests\": 2}\\n')\n"
                + "        except OSError: pass\n"
                + "atexit.register(late)\n");
        t.put("make the result file read-only", "import os\nopen('result.json', 'w').write('" + FORGED_PASS + "')\n"
                + "os.chmod('result.json', 0o444)\n");
        t.put("make the result directory read-only", "import os\nopen('result.json', 'w').write('" + FORGED_PASS + "')\n"
                + "os.chmod('.', 0o555)\n");
        t.put("read the nonce from stdin or the environment", "import sys, os\n"
                + "n = sys.stdin.read() + ' '.join(os.environ.values())\n"
                + "for fd in range(0, 64):\n"
                + "    try: os.write(fd, ('CODELLM %s {\"status\": \"pass\", \"tests\": 2}\\n' % n.strip()).encode())\n"
                + "    except OSError: pass\n");
        return t;
    }

    /** The plus-input tricks: EvalPlus's comparison and phase runner patched in the harness. */
    static Map<String, String> plusTricks() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("patch outputs_match", "import __main__\n__main__.outputs_match = lambda *a, **k: True\n");
        t.put("patch run_phase", "import __main__\n"
                + "__main__.run_phase = lambda *a, **k: {'status': 'pass', 'fail_index': None, 'error': None, 'n': 0}\n");
        t.put("read the expected outputs", "import os\n_seen = [f for f in os.listdir('.')]\n"
                + "_exp = open('gt.pkl', 'rb').read() if os.path.exists('gt.pkl') else None\n");
        return t;
    }

    private static Task first(DatasetId id) {
        Dataset d = dev.codellm.eval.TestDatasets.get(id).limit(1);
        return d.tasks().get(0);
    }

    @ParameterizedTest
    @EnumSource(value = DatasetId.class, names = {"HUMANEVAL", "HUMANEVAL_PLUS"})
    void everyForgingTrickFails(DatasetId id) {
        Dataset d = dev.codellm.eval.TestDatasets.get(id).limit(1);
        Task t = d.tasks().get(0);
        assertEquals("has_close_elements", t.entryPoint());
        PythonEvaluator ev = new PythonEvaluator(sandbox, d, cache);
        ev.prepareGroundTruth(d.tasks(), 1);
        Map<String, String> all = new LinkedHashMap<>(tricks());
        if (id.isPlus()) all.putAll(plusTricks());
        for (Map.Entry<String, String> trick : all.entrySet()) {
            SampleResult r = ev.evaluate(t, t.prompt() + WRONG + "\n" + trick.getValue());
            assertFalse(r.basePassed() && (!id.isPlus() || r.plusPassed()), trick.getKey() + " passed a wrong solution: " + r);
            assertNotEquals(SampleResult.PASS, r.baseStatus(), trick.getKey() + ": " + r);
        }
        SampleResult control = ev.evaluate(t, t.prompt() + t.canonicalSolution());
        assertTrue(id.isPlus() ? control.plusPassed() : control.basePassed(), "the correct control: " + control);
    }

    /** A correct solution is not failed by the value checks: it may return subclasses of plain values. */
    @Test
    void aCorrectSolutionReturningABoolSubclassOfIntStillPasses() {
        for (DatasetId id : List.of(DatasetId.HUMANEVAL, DatasetId.HUMANEVAL_PLUS)) {
            Dataset d = dev.codellm.eval.TestDatasets.get(id).limit(1);
            Task t = d.tasks().get(0);
            PythonEvaluator ev = new PythonEvaluator(sandbox, d, cache);
            String sol = t.prompt() + t.canonicalSolution() + "\n_orig = has_close_elements\n"
                    + "class MyList(list): pass\n"
                    + "def has_close_elements(numbers, threshold):\n    return bool(_orig(MyList(numbers), threshold))\n";
            SampleResult r = ev.evaluate(t, sol);
            assertTrue(id.isPlus() ? r.plusPassed() : r.basePassed(), id + ": " + r);
        }
    }
}
