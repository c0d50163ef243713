package dev.codellm.decontam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The three methods on a tiny hand-made benchmark, through the record-level decision. */
class MethodsTest {
    static final String SOLUTION = "    result = []\n    for i, x in enumerate(values):\n        if x % 2 == 0:\n"
            + "            result.append(x * i)\n    return sorted(result, reverse=True)\n";
    static final String PROMPT = "def weird_even_products(values: list) -> list:\n"
            + "    \"\"\"Multiply every even value by its index and return them from largest to smallest.\"\"\"\n";
    static final List<BenchmarkItem> ITEMS = List.of(
            new BenchmarkItem("toy", "Toy/0", "prompt", PROMPT, false),
            new BenchmarkItem("toy", "Toy/0", "canonical_solution", SOLUTION, true),
            new BenchmarkItem("toy", "Toy/1", "canonical_solution", "    return a + b\n", true));

    static Decision decide(Method m, String line) {
        return new RecordDecontaminator(m, null).newWorker().decide(line);
    }

    static String record(String text) {
        return "{\"id\":7,\"text\":" + dev.codellm.core.io.Json.line(text) + ",\"n\":[1,2,{\"k\":null}]}";
    }

    @Test
    void openai50CatchesReformattedCopyAndIgnoresCleanCode() {
        Method m = new OpenAi50Method(ITEMS, 1, 50, 20);
        String reformatted = "import os\n\n" + PROMPT + SOLUTION.replace("    ", "\t").replace("\n", "\r\n").replace(" == ", "==")
                + "\nprint(weird_even_products([1, 2]))\n";
        Decision d = decide(m, record(reformatted));
        assertEquals(Decision.Kind.REMOVED, d.kind());
        assertEquals(List.of("toy:Toy/0"), d.matched());
        assertEquals(Decision.Kind.CLEAN, decide(m, record("def add(a, b):\n    return a + b\n")).kind(),
                "Toy/1 is under min-chars and must not match ordinary code");
        assertEquals(Decision.Kind.CLEAN, decide(m, record("for i, x in enumerate(values): print(i)")).kind());
    }

    @Test
    void openai50SamplingIsSeededAndUsesWholeShortItems() {
        char[] norm = Normalizer.lettersAndDigits(PROMPT + SOLUTION).toCharArray();
        List<char[]> a = OpenAi50Method.sample(norm, 5, 50);
        List<char[]> b = OpenAi50Method.sample(norm, 5, 50);
        assertEquals(3, a.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a.get(i), b.get(i));
            assertEquals(50, a.get(i).length);
            assertTrue(new String(norm).contains(new String(a.get(i))));
        }
        List<char[]> c = OpenAi50Method.sample(norm, 6, 50);
        assertNotEquals(new String(a.get(0)) + new String(a.get(1)), new String(c.get(0)) + new String(c.get(1)));
        List<char[]> shortItem = OpenAi50Method.sample("returnab".toCharArray(), 5, 50);
        assertEquals(1, shortItem.size());
        assertEquals("returnab", new String(shortItem.get(0)));
        // With min-chars 0 the whole short item is a pattern, as the method says.
        assertEquals(Decision.Kind.REMOVED, decide(new OpenAi50Method(ITEMS, 1, 50, 0), record("return a+b")).kind());
    }

    @Test
    void ngramThresholdIsAFractionOfTheItemsNgrams() {
        Method all = new NgramMethod(ITEMS, 5, 1.0);
        Method half = new NgramMethod(ITEMS, 5, 0.5);
        String firstHalf = SOLUTION.substring(0, SOLUTION.indexOf("result.append"));
        assertEquals(List.of("toy:Toy/0"), decide(all, record("x\n" + SOLUTION.toUpperCase())).matched(), "case and spacing are ignored");
        assertEquals(Decision.Kind.CLEAN, decide(all, record(firstHalf)).kind());
        assertEquals(Decision.Kind.REMOVED, decide(half, record(firstHalf + " result append x i")).kind());
        assertEquals(Decision.Kind.CLEAN, decide(half, record("result = []\nreturn sorted(result)")).kind());
    }

    @Test
    void exactNeedsTheWholeSolution() {
        Method m = new ExactMethod(ITEMS, 20);
        assertEquals(List.of("toy:Toy/0"), decide(m, record("# copied\n" + SOLUTION.replace("\n", "\n\n"))).matched());
        assertEquals(Decision.Kind.CLEAN, decide(m, record(SOLUTION.substring(0, SOLUTION.length() - 20))).kind());
        assertEquals(Decision.Kind.CLEAN, decide(m, record(PROMPT)).kind(), "prompts are not solutions");
    }

    @Test
    void textFieldsLimitWhatIsScanned() {
        Method m = new OpenAi50Method(ITEMS, 1, 50, 20);
        String line = "{\"meta\":" + dev.codellm.core.io.Json.line(SOLUTION) + ",\"text\":\"clean\"}";
        assertEquals(Decision.Kind.REMOVED, new RecordDecontaminator(m, null).newWorker().decide(line).kind());
        assertEquals(Decision.Kind.CLEAN, new RecordDecontaminator(m, Set.of("text")).newWorker().decide(line).kind());
    }

    @Test
    void badLinesAreSkippedWithAReason() {
        RecordDecontaminator.Worker w = new RecordDecontaminator(new ExactMethod(ITEMS, 20), null).newWorker();
        assertEquals("malformed JSON", w.decide("{\"a\": }").reason());
        assertEquals("malformed JSON", w.decide("{\"a\": 1} {").reason());
        assertEquals("malformed JSON", w.decide("{\"a\": \"unterminated").reason());
        assertEquals("not a JSON object", w.decide("[1,2]").reason());
        assertEquals(Decision.Kind.BLANK, w.decide("   ").kind());
        byte[] badUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertEquals("malformed JSON", w.decide(badUtf8, 0, badUtf8.length).reason());
    }

    @Test
    void removedLineKeepsFieldsAndOrderAndAddsMatches() {
        String line = "{\"b\": 1, \"a\": \"x\"}  ";
        String out = RecordDecontaminator.withMatches(line, List.of("he:HumanEval/1", "mbpp:\"2\""));
        assertEquals("{\"b\": 1, \"a\": \"x\",\"decontam_matches\":[\"he:HumanEval/1\",\"mbpp:\\\"2\\\"\"]}", out);
        assertEquals("{\"decontam_matches\":[\"x\"]}", RecordDecontaminator.withMatches("{}", List.of("x")));
        assertFalse(out.contains("\n"));
    }
}
