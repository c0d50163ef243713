package dev.codellm.eval.run;

import dev.codellm.eval.data.DatasetId;
import java.nio.file.Path;

/**
 * What {@code codellm eval} was asked to do.
 *
 * @param dataset     which benchmark
 * @param outDir      where every output goes (and where a resumed run finds its state)
 * @param n           samples per task
 * @param temperature sampling temperature (0 = greedy; n > 1 then gives identical samples)
 * @param maxTokens   generation budget per sample
 * @param style       prompt style
 * @param sanitize    whether to clean answers into programs (default: on for instruct)
 * @param jobs        concurrent sandboxed test runs
 * @param genJobs     concurrent generation requests (useful for HTTP endpoints)
 * @param limit       only the first K tasks (0 = all)
 * @param resume      continue a run found in outDir
 * @param seed        base seed: sample i of a task uses seed + i (null = random)
 * @param dataDir     a datasets directory instead of the shared one (null = default lookup)
 * @param cacheDir    downloads and ground-truth cache
 */
public record EvalOptions(DatasetId dataset, Path outDir, int n, double temperature, int maxTokens, PromptStyle style,
                          boolean sanitize, int jobs, int genJobs, int limit, boolean resume, Long seed,
                          Path dataDir, Path cacheDir) {
    public EvalOptions {
        if (n <= 0) throw new IllegalArgumentException("--n must be >= 1");
        if (jobs <= 0 || genJobs <= 0) throw new IllegalArgumentException("--jobs must be >= 1");
        if (temperature < 0) throw new IllegalArgumentException("--temperature must be >= 0");
        if (maxTokens <= 0) throw new IllegalArgumentException("--max-tokens must be >= 1");
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0");
    }
}
