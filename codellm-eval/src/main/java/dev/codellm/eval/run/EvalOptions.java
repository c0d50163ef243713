package dev.codellm.eval.run;

import java.nio.file.Path;

/**
 * What {@code codellm eval} was asked to do; the same options for every benchmark.
 *
 * @param dataset     the {@code --dataset} value: a benchmark name or alias, or a suite such as
 *                    {@code multipl-e/java,cpp} (resolved by {@link EvalDatasets})
 * @param outDir      where every output goes (and where a resumed run finds its state)
 * @param n           samples per task (when generating)
 * @param temperature sampling temperature (0 = greedy; n > 1 then gives identical samples)
 * @param maxTokens   generation budget per sample
 * @param style       prompt style, or null for the benchmark's default
 * @param sanitize    whether to clean answers into programs (default: on for instruct)
 * @param jobs        concurrent sandboxed test runs
 * @param genJobs     concurrent generation requests (useful for HTTP endpoints)
 * @param limit       only the first K tasks (0 = all)
 * @param resume      continue a run found in outDir
 * @param seed        base seed: sample i of a task uses seed + i (null = random)
 * @param dataDir     a datasets directory instead of the shared one (null = default lookup)
 * @param cacheDir    downloads and ground-truth cache
 * @param timeScale   multiplier on MultiPL-E's compile/run time limits (1.0 = as MultiPL-E)
 */
public record EvalOptions(String dataset, Path outDir, int n, double temperature, int maxTokens, PromptStyle style,
                          boolean sanitize, int jobs, int genJobs, int limit, boolean resume, Long seed,
                          Path dataDir, Path cacheDir, double timeScale) {
    public EvalOptions {
        if (n <= 0) throw new IllegalArgumentException("--n must be >= 1");
        if (jobs <= 0 || genJobs <= 0) throw new IllegalArgumentException("--jobs must be >= 1");
        if (temperature < 0) throw new IllegalArgumentException("--temperature must be >= 0");
        if (maxTokens <= 0) throw new IllegalArgumentException("--max-tokens must be >= 1");
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0");
        if (!(timeScale > 0)) throw new IllegalArgumentException("--time-scale must be > 0");
    }

    /** The defaults of the CLI for a dataset and output directory (greedy, n=1, 512 tokens). */
    public static EvalOptions defaults(String dataset, Path outDir) {
        return new EvalOptions(dataset, outDir, 1, 0.0, 512, null, false, 2, 1, 0, false, null, null,
                dev.codellm.core.benchmark.BenchmarkFiles.defaultCacheDir(), 1.0);
    }
}
