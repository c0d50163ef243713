package dev.codellm.data.ossinstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** MinHash estimates against the exact Jaccard similarity of the same shingle sets. */
class MinHashDedupTest {
    static String realText() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/usr/lib/python3.11/textwrap.py"));
        return String.join("\n", lines.subList(40, 140));
    }

    @Test
    void nearCopyIsCaughtDifferentCodeIsNot() throws IOException {
        String text = realText();
        MinHashDedup d = new MinHashDedup(0.8);
        assertTrue(d.addIfNew(text));
        // Same code, reformatted, one line changed: a near-duplicate.
        String near = text.replace("    ", "\t").replace("width", "width ") + "\n# trailing comment\n";
        assertFalse(d.addIfNew(near));
        assertTrue(d.addIfNew(String.join("\n", Files.readAllLines(Path.of("/usr/lib/python3.11/heapq.py")).subList(40, 140))));
    }

    @Test
    void estimateTracksExactJaccard() throws IOException {
        String[] words = realText().split("\\W+");
        MinHashDedup d = new MinHashDedup(0.8);
        for (int cut : new int[] {0, 50, 150, 300}) {
            String a = String.join(" ", java.util.Arrays.copyOfRange(words, 0, 400));
            String b = String.join(" ", java.util.Arrays.copyOfRange(words, cut, 400 + cut));
            double est = MinHashDedup.similarity(d.signature(a), d.signature(b));
            double exact = jaccard(shingles(a), shingles(b));
            assertEquals(exact, est, 0.15, "cut " + cut);
        }
    }

    static Set<String> shingles(String s) {
        String[] t = s.toLowerCase().split("\\W+");
        Set<String> out = new HashSet<>();
        for (int i = 0; i + 3 <= t.length; i++) out.add(t[i] + " " + t[i + 1] + " " + t[i + 2]);
        return out;
    }

    static double jaccard(Set<String> a, Set<String> b) {
        Set<String> i = new HashSet<>(a);
        i.retainAll(b);
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return i.size() / (double) u.size();
    }
}
