package dev.codellm.decontam;

import java.io.Serializable;
import dev.codellm.core.benchmark.BenchmarkFiles;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything that decides which records are removed; the in-process run and the Spark job build
 * their {@link RecordDecontaminator} from the same config, hence the same results.
 *
 * @param method      {@code openai50}, {@code ngram} or {@code exact}
 * @param benchmarks  benchmark names or aliases (the core registry's) and/or paths of user jsonl files
 * @param seed        substring sampling seed (openai50)
 * @param minChars    benchmark items shorter than this many normalised chars are not used
 * @param ngram       n for the ngram method
 * @param threshold   fraction of an item's n-grams a record must contain (ngram method)
 * @param textFields  top-level fields to scan; empty = every string value
 */
public record DecontamConfig(String method, List<String> benchmarks, long seed, int minChars,
                             int ngram, double threshold, Set<String> textFields) implements Serializable {

    public static final List<String> METHODS = List.of("openai50", "ngram", "exact");

    public DecontamConfig {
        method = method.toLowerCase(Locale.ROOT);
        if (!METHODS.contains(method)) throw new IllegalArgumentException("unknown method '" + method + "', expected one of " + METHODS);
        benchmarks = List.copyOf(benchmarks);
        if (benchmarks.isEmpty()) throw new IllegalArgumentException("no benchmarks to protect");
        textFields = textFields == null ? Set.of() : Set.copyOf(textFields);
    }

    public static DecontamConfig defaults(String method) {
        return new DecontamConfig(method, BenchmarkItems.DEFAULT_NAMES, 42L, defaultMinChars(method), 13, 0.5, Set.of());
    }

    /**
     * Benchmark items with fewer normalised chars are not used by default: HumanEval's shortest
     * solutions ({@code return x + y} is {@code returnxy}) occur in ordinary code, and on 300 MB
     * of Debian source they removed only false positives. {@code --min-chars 0} gives the
     * OpenAI method to the letter (every item, whole when shorter than 50).
     */
    public static final int DEFAULT_MIN_CHARS = 20;

    public static int defaultMinChars(String method) {
        return "ngram".equals(method) ? 0 : DEFAULT_MIN_CHARS;
    }

    /** @param files where benchmark files are found (and downloaded and verified when absent) */
    public Method buildMethod(BenchmarkFiles files) {
        List<BenchmarkItem> items = BenchmarkItems.load(benchmarks, files);
        return switch (method) {
            case "openai50" -> new OpenAi50Method(items, seed, 50, minChars);
            case "ngram" -> new NgramMethod(items, ngram, threshold);
            case "exact" -> new ExactMethod(items, minChars);
            default -> throw new IllegalStateException(method);
        };
    }

    public RecordDecontaminator build(BenchmarkFiles files) {
        return new RecordDecontaminator(buildMethod(files), textFields);
    }
}
