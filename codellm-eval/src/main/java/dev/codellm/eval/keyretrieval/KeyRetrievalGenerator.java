package dev.codellm.eval.keyretrieval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Code Llama's synthetic key-retrieval task (paper §3.3), our own generator: a long Python file of
 * ordinary functions (a few templates with random names and constants, none of them a
 * zero-argument function returning a constant), one of which, placed at a chosen relative
 * position, is {@code def NAME() -> int} returning a fixed integer; the file ends with an
 * {@code assert NAME() == } to be completed. Everything follows from the seed, the length and the
 * position, so a run is reproducible and resumable.
 *
 * <p>Lengths are in Code Llama tokens, estimated from characters: the eval module sees models only
 * through {@code Generator}, which has no tokenizer. {@link #CHARS_PER_TOKEN} was measured on this
 * generator's output with Code Llama's tokenizer (docs/long-context.md), so a file of "16k" is
 * within a few percent of 16,384 tokens.
 */
public final class KeyRetrievalGenerator {
    /** Characters per Code Llama token in this generator's Python (measured, see the class comment). */
    public static final double CHARS_PER_TOKEN = 2.89;

    private static final String[] VERBS = {"compute", "merge", "filter", "scale", "parse", "collect", "count", "normalize",
            "render", "split", "update", "check", "build", "find", "sort", "load"};
    private static final String[] NOUNS = {"values", "items", "records", "tokens", "rows", "names", "scores", "lines",
            "weights", "paths", "events", "nodes", "blocks", "pairs", "keys", "chunks"};

    private KeyRetrievalGenerator() {}

    /** The task for one grid cell and sample; ids look like {@code len16384/pos0.50/3}. */
    public static KeyRetrievalTask task(long seed, int lengthTokens, double position, int sample) {
        String id = String.format(Locale.ROOT, "len%d/pos%.2f/%d", lengthTokens, position, sample);
        SplittableRandom rnd = new SplittableRandom(seed ^ (id.hashCode() * 0x9E3779B97F4A7C15L));
        int answer = 100 + rnd.nextInt(9900);
        String name = VERBS[rnd.nextInt(VERBS.length)] + "_" + NOUNS[rnd.nextInt(NOUNS.length)] + "_key_" + rnd.nextInt(1000);
        String key = "def " + name + "() -> int:\n    \"\"\"Note that this function is used at the end of the file.\"\"\"\n    return "
                + answer + "\n";
        String tail = "\n\nassert " + name + "() == ";
        long budget = Math.round(lengthTokens * CHARS_PER_TOKEN) - key.length() - tail.length();
        List<String> functions = new ArrayList<>();
        long used = 0;
        int i = 0;
        while (used < budget) {
            String f = ordinary(rnd, i++);
            functions.add(f);
            used += f.length() + 2;
        }
        int at = (int) Math.round(position * functions.size());
        functions.add(at, key);
        return new KeyRetrievalTask(id, lengthTokens, position, sample, name, answer, String.join("\n\n", functions) + tail);
    }

    /** An ordinary function: takes arguments, so that none can be mistaken for the key. */
    static String ordinary(SplittableRandom rnd, int index) {
        String name = VERBS[rnd.nextInt(VERBS.length)] + "_" + NOUNS[rnd.nextInt(NOUNS.length)] + "_" + index;
        String noun = NOUNS[rnd.nextInt(NOUNS.length)];
        int a = 2 + rnd.nextInt(97), b = 1 + rnd.nextInt(50);
        return switch (rnd.nextInt(6)) {
            case 0 -> "def " + name + "(" + noun + ", factor):\n    \"\"\"Scale every element and shift it.\"\"\"\n    result = []\n"
                    + "    for v in " + noun + ":\n        result.append(v * factor + " + a + ")\n    return result\n";
            case 1 -> "def " + name + "(" + noun + "):\n    \"\"\"Keep the elements above a threshold.\"\"\"\n    return [x for x in "
                    + noun + " if x > " + a + "]\n";
            case 2 -> "def " + name + "(text, sep=\",\"):\n    \"\"\"Split the text and strip each part.\"\"\"\n"
                    + "    parts = [p.strip() for p in text.split(sep)]\n    return [p for p in parts if len(p) > " + (b % 7) + "]\n";
            case 3 -> "def " + name + "(mapping, key, default=" + b + "):\n    \"\"\"Look a key up with a fallback.\"\"\"\n"
                    + "    if key in mapping:\n        return mapping[key] * " + a + "\n    return default\n";
            case 4 -> "def " + name + "(n):\n    \"\"\"Sum of a short arithmetic series.\"\"\"\n    total = 0\n"
                    + "    for i in range(n):\n        total += i * " + a + " - " + b + "\n    return total\n";
            default -> "def " + name + "(" + noun + ", limit=" + a + "):\n    \"\"\"Count the elements below the limit.\"\"\"\n"
                    + "    count = 0\n    for x in " + noun + ":\n        if x < limit:\n            count += 1\n    return count\n";
        };
    }

    /**
     * The integer a completion gives, or null: leading spaces skipped, an optional sign, then
     * digits (so {@code "4213\n"}, {@code "4213  # the key"} and {@code "(4213)"} are not all the
     * same: only an integer that comes first counts, as an assert completion would be read).
     */
    public static Integer parseAnswer(String completion) {
        String s = completion.stripLeading();
        int i = 0;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) i++;
        int start = i;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) i++;
        if (i == start || i - start > 9) return null;
        return Integer.parseInt(s.substring(0, i));
    }
}
