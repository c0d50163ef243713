package dev.codellm.eval.data;

import dev.codellm.core.CodellmException;
import dev.codellm.core.benchmark.BenchmarkRegistry;
import dev.codellm.core.benchmark.BenchmarkSpec;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The four EvalPlus-format benchmarks the Python harness runs, with what only eval needs to know
 * about them (plus inputs, MBPP's shape). Everything else — names and aliases, the file, its
 * URL and checksum — is the core {@link BenchmarkRegistry}'s.
 */
public enum DatasetId {
    HUMANEVAL(BenchmarkRegistry.HUMANEVAL),
    HUMANEVAL_PLUS(BenchmarkRegistry.HUMANEVAL_PLUS),
    MBPP(BenchmarkRegistry.MBPP),
    MBPP_PLUS(BenchmarkRegistry.MBPP_PLUS);

    private final BenchmarkSpec spec;

    DatasetId(BenchmarkSpec spec) {
        this.spec = spec;
    }

    public BenchmarkSpec spec() { return spec; }

    /** The canonical name ({@code humaneval+}), as run files record it. */
    public String cliName() { return spec.name(); }

    /** Path relative to a datasets directory, e.g. {@code humaneval/HumanEval.jsonl.gz}. */
    public String relativePath() { return spec.relativePath(); }

    public String url() { return spec.url(); }

    /** SHA-256 (hex) of the uncompressed file content. */
    public String sha256() { return spec.sha256(); }

    /** Whether the dataset carries EvalPlus base/plus inputs (differential testing). */
    public boolean isPlus() { return this == HUMANEVAL_PLUS || this == MBPP_PLUS; }

    public boolean isMbpp() { return this == MBPP || this == MBPP_PLUS; }

    /** The one of the four a name or alias ({@code humanevalplus}, {@code HumanEval+}, ...) means, if any. */
    public static Optional<DatasetId> find(String name) {
        return BenchmarkRegistry.find(name).flatMap(s -> Arrays.stream(values()).filter(d -> d.spec == s).findFirst());
    }

    public static DatasetId parse(String name) {
        return find(name).orElseThrow(() -> new CodellmException("unknown dataset '" + name + "' (choose one of: "
                + Arrays.stream(values()).map(DatasetId::cliName).collect(Collectors.joining(", ")) + ")"));
    }

    @Override
    public String toString() { return spec.name(); }
}
