package dev.codellm.eval.gen;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import dev.codellm.eval.data.Task;
import dev.codellm.eval.exec.PythonEvaluator;
import dev.codellm.eval.exec.SampleResult;
import dev.codellm.eval.sandbox.BwrapSandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A corpus of messy model answers: each must come out as a clean program that still passes. */
class SanitizerTest {
    @TempDir
    Path cache;

    /** Ways models wrap a correct solution; {@code %s} is the solution program. */
    static final List<Function<String, String>> WRAPPERS = List.of(
            code -> code,
            code -> "Here's a solution to the problem:\n\n```python\n" + code + "```\n\nThis works because it checks every pair.",
            code -> "```python\n" + code + "\n\n# Test cases\nassert False, 'tests must be dropped'\nprint(undefined_name)\n```",
            code -> "Sure! Let's think step by step (this is important).\n\n```py\nimport os\nprint('example usage')\n```\n\nNow the code:\n\n```python\n"
                    + code + "\nif __name__ == \"__main__\":\n    raise SystemExit(1)\n```\nHope this helps!",
            code -> "```python\n" + code, // unclosed fence (response prefix primed "```python")
            code -> code + "\n\ndef test_it():\n    assert False\n\ntest_it()\nexit(1)\n",
            code -> "I'll write the function.\n" + code + "\nExplanation: it's simple (really).\n",
            code -> "~~~\n" + code + "~~~\n",
            code -> "1. First, the code:\n\n    ```python\n" + code.indent(4) + "    ```\n",
            // A server that ignored the primed "```python" prefix: the model's own fences are off by one.
            code -> "```python\nSure, here's the solution:\n```python\n" + code + "```\nIt loops over the pairs.\n");

    @Test
    void messyAnswersAroundCanonicalSolutionsStillPass() {
        Dataset d = dev.codellm.eval.TestDatasets.get(DatasetId.HUMANEVAL).limit(3);
        PythonEvaluator ev = new PythonEvaluator(BwrapSandbox.create(), d, cache);
        for (Task t : d.tasks()) {
            String program = t.prompt() + t.canonicalSolution();
            for (int w = 0; w < WRAPPERS.size(); w++) {
                String cleaned = Sanitizer.sanitize(WRAPPERS.get(w).apply(program), t.entryPoint());
                SampleResult r = ev.evaluate(t, cleaned);
                assertEquals("pass", r.baseStatus(), t.taskId() + " wrapper " + w + ":\n" + cleaned + "\n" + r);
                assertFalse(cleaned.contains("assert False"), cleaned);
                assertFalse(cleaned.contains("__main__"), cleaned);
                assertFalse(cleaned.contains("print("), cleaned);
                assertFalse(cleaned.contains("```"), cleaned);
            }
        }
    }

    @Test
    void keepsImportsHelpersAndConstantsTheEntryPointNeedsAndDropsTheRest() {
        String answer = """
                Here is my answer:

                ```python
                import math
                from typing import List

                LIMIT = 10
                UNUSED = 5

                def helper(x):
                    \"\"\"Doc with a ( bracket
                    and a second line.\"\"\"
                    return math.sqrt(x) + LIMIT

                @staticmethod
                def other():
                    pass

                def solve(xs: List[int]) -> float:
                    total = sum(
                        helper(x)
                        for x in xs
                    )
                # a comment in the body
                    return total

                class Unrelated:
                    pass

                print(solve([1, 4]))
                assert solve([]) == 0
                if __name__ == '__main__':
                    main()
                ```
                """;
        String s = Sanitizer.sanitize(answer, "solve");
        assertTrue(s.startsWith("import math\nfrom typing import List\n\n"), s);
        assertTrue(s.contains("LIMIT = 10"), s);
        assertTrue(s.contains("def helper(x):"), s);
        assertTrue(s.contains("    return total"), s);
        assertTrue(s.contains("for x in xs"), s);
        for (String gone : List.of("UNUSED", "def other", "class Unrelated", "print(", "assert", "__main__")) {
            assertFalse(s.contains(gone), gone + " should be gone:\n" + s);
        }
    }

    @Test
    void withoutTheEntryPointKeepsAllDefinitions() {
        String s = Sanitizer.sanitize("def a():\n    return 1\n\nx = a()\nprint(x)\n", "missing");
        assertEquals("def a():\n    return 1\n\nx = a()\n", s);
    }

    @Test
    void picksTheFencedBlockThatDefinesTheEntryPoint() {
        String s = Sanitizer.sanitize("```python\nresult = f(3)\n```\nand\n```python\ndef f(x):\n    return x\n```\n", "f");
        assertEquals("def f(x):\n    return x\n", s);
    }
}
