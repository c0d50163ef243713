package dev.codellm.eval;

import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.eval.data.Dataset;
import dev.codellm.eval.data.DatasetId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The shared datasets, parsed once per test JVM (HumanEval+ alone is 7.7 MB of JSON). */
public final class TestDatasets {
    private static final Map<DatasetId, Dataset> CACHE = new ConcurrentHashMap<>();

    private TestDatasets() {}

    public static Dataset get(DatasetId id) {
        return CACHE.computeIfAbsent(id, k -> Dataset.load(k, BenchmarkFiles.standard()));
    }
}
