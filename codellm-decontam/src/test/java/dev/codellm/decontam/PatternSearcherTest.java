package dev.codellm.decontam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Checks the sampled-anchor searcher against plain String.indexOf on random data. */
class PatternSearcherTest {

    @Test
    void findsExactlyTheOccurrencesNaiveSearchFinds() {
        Random rnd = new Random(7);
        for (int round = 0; round < 40; round++) {
            int alphabet = 2 + rnd.nextInt(3); // tiny alphabet: many overlaps and near-misses
            String text = randomString(rnd, 2000 + rnd.nextInt(3000), alphabet);
            List<char[]> patterns = new ArrayList<>();
            int nPatterns = 1 + rnd.nextInt(30);
            for (int i = 0; i < nPatterns; i++) {
                int len = 3 + rnd.nextInt(60);
                String p = rnd.nextBoolean() ? pick(rnd, text, len) : randomString(rnd, len, alphabet);
                patterns.add(p.toCharArray());
            }
            int[] owners = new int[patterns.size()];
            for (int i = 0; i < owners.length; i++) owners[i] = i;
            int maxAnchor = 8 + rnd.nextInt(50);
            PatternSearcher s = new PatternSearcher(patterns, owners, maxAnchor);

            TreeMap<Integer, Integer> expected = new TreeMap<>();
            for (int i = 0; i < patterns.size(); i++) {
                String p = new String(patterns.get(i));
                for (int at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) expected.merge(i, 1, Integer::sum);
            }
            TreeMap<Integer, Integer> got = new TreeMap<>();
            s.search(text.toCharArray(), text.length(), o -> got.merge(o, 1, Integer::sum));
            assertEquals(expected, got, "round " + round + " maxAnchor " + maxAnchor);
        }
    }

    @Test
    void onlyLooksInsideTheGivenLength() {
        char[] text = "xxxxabcdefghijxxxx".toCharArray();
        PatternSearcher s = new PatternSearcher(List.of("abcdefghij".toCharArray()), new int[] {5}, 50);
        List<Integer> hits = new ArrayList<>();
        s.search(text, text.length, hits::add);
        assertEquals(List.of(5), hits);
        hits.clear();
        s.search(text, 10, hits::add); // the match ends at 14
        assertEquals(List.of(), hits);
    }

    private static String pick(Random rnd, String text, int len) {
        int at = rnd.nextInt(text.length() - len);
        return text.substring(at, at + len);
    }

    private static String randomString(Random rnd, int len, int alphabet) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) sb.append((char) ('a' + rnd.nextInt(alphabet)));
        return sb.toString();
    }
}
