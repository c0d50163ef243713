package dev.codellm.eval.keyretrieval;

import dev.codellm.core.CodellmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The lengths × positions a {@code --dataset key-retrieval[/LENGTHS][:FILES]} value asks for:
 * lengths in tokens ({@code 4k} = 4096, {@code 100k} = 100,000 as the paper's; default 4k, 8k,
 * 16k), the paper's five relative positions, {@code FILES} files per cell (default 4).
 */
public record KeyRetrievalGrid(List<Integer> lengths, List<Double> positions, int filesPerCell) {
    public static final String NAME = "key-retrieval";
    public static final List<Double> POSITIONS = List.of(0.0, 0.25, 0.5, 0.75, 1.0);

    public static boolean accepts(String dataset) {
        String d = dataset.strip().toLowerCase(Locale.ROOT);
        return d.equals(NAME) || d.startsWith(NAME + "/") || d.startsWith(NAME + ":");
    }

    public static KeyRetrievalGrid parse(String dataset) {
        String d = dataset.strip().toLowerCase(Locale.ROOT).substring(NAME.length());
        int files = 4;
        int colon = d.lastIndexOf(':');
        if (colon >= 0) {
            files = positive(d.substring(colon + 1), "files per cell");
            d = d.substring(0, colon);
        }
        List<Integer> lengths = new ArrayList<>();
        if (d.isEmpty()) {
            lengths.addAll(List.of(4096, 8192, 16384));
        } else {
            if (!d.startsWith("/")) throw new CodellmException("bad --dataset '" + dataset + "' (use key-retrieval[/4k,16k,...][:FILES])");
            for (String l : d.substring(1).split(",")) lengths.add(length(l.strip()));
        }
        return new KeyRetrievalGrid(List.copyOf(lengths), POSITIONS, files);
    }

    /** {@code 4096}, {@code 4k} (4096), {@code 100k} (100,000: the paper's round figure). */
    static int length(String s) {
        if (s.endsWith("k")) {
            int k = positive(s.substring(0, s.length() - 1), "length");
            return Integer.bitCount(k) == 1 ? k * 1024 : k * 1000;  // 4k, 16k, 64k are powers of two; 100k is 100,000
        }
        int n = positive(s, "length");
        if (n < 64) throw new CodellmException("key-retrieval length " + n + " is too short (at least 64 tokens)");
        return n;
    }

    private static int positive(String s, String what) {
        try {
            int v = Integer.parseInt(s);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw new CodellmException("key-retrieval: bad " + what + " '" + s + "'");
    }

    /** Every task of the grid, by length, then position, then file, all from {@code seed}. */
    public List<KeyRetrievalTask> tasks(long seed) {
        List<KeyRetrievalTask> out = new ArrayList<>();
        for (int len : lengths) for (double p : positions) for (int f = 0; f < filesPerCell; f++) out.add(KeyRetrievalGenerator.task(seed, len, p, f));
        return out;
    }

    static String lengthLabel(int n) {
        return n % 1024 == 0 ? n / 1024 + "k" : n % 1000 == 0 ? n / 1000 + "k" : Integer.toString(n);
    }
}
