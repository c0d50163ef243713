package dev.codellm.eval.data;

import dev.codellm.core.CodellmException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The four Python benchmarks, where their files live under the shared datasets directory, the
 * official release URL used when a file is absent, and the SHA-256 of the file's
 * <em>uncompressed</em> content (so a re-gzipped copy still verifies).
 */
public enum DatasetId {
    HUMANEVAL("humaneval", "humaneval/HumanEval.jsonl.gz",
            "https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz",
            "1d49078ba3e2b196b9344535bef34a43021f038fad9561d6ee7c53450609a6a2"),
    HUMANEVAL_PLUS("humaneval+", "humanevalplus/HumanEvalPlus-v0.1.10.jsonl.gz",
            "https://github.com/evalplus/humanevalplus_release/releases/download/v0.1.10/HumanEvalPlus.jsonl.gz",
            "42526ec0e7d5f3ee0b06d6ced98f8c8bae3d76519151bfb3d36f79010645bd7f"),
    /** Original MBPP at the google-research revision the project pins (see datasets/mbpp/SOURCE.md). */
    MBPP("mbpp", "mbpp/mbpp.jsonl.gz",
            "https://raw.githubusercontent.com/google-research/google-research/2251e8c67a7fe7d6348714967ee101080b28e956/mbpp/mbpp.jsonl",
            "0b7004a79cd62d9ec7ecdd5a6e5f0ef1210ff00b286df3c5d5b57bf38c58e19a"),
    MBPP_PLUS("mbpp+", "mbppplus/MbppPlus-v0.2.0.jsonl.gz",
            "https://github.com/evalplus/mbppplus_release/releases/download/v0.2.0/MbppPlus.jsonl.gz",
            "b54e762755248ca411b523c917fa9f93c07b5ff2966bf60b3917b853926a3dad");

    private final String cliName;
    private final String relativePath;
    private final String url;
    private final String sha256;

    DatasetId(String cliName, String relativePath, String url, String sha256) {
        this.cliName = cliName;
        this.relativePath = relativePath;
        this.url = url;
        this.sha256 = sha256;
    }

    public String cliName() { return cliName; }

    /** Path relative to a datasets directory, e.g. {@code humaneval/HumanEval.jsonl.gz}. */
    public String relativePath() { return relativePath; }

    public String url() { return url; }

    /** SHA-256 (hex) of the uncompressed file content. */
    public String sha256() { return sha256; }

    /** Whether the dataset carries EvalPlus base/plus inputs (differential testing). */
    public boolean isPlus() { return this == HUMANEVAL_PLUS || this == MBPP_PLUS; }

    public boolean isMbpp() { return this == MBPP || this == MBPP_PLUS; }

    public static DatasetId parse(String name) {
        for (DatasetId d : values()) {
            if (d.cliName.equalsIgnoreCase(name.strip())) return d;
        }
        throw new CodellmException("unknown dataset '" + name + "' (choose one of: "
                + Arrays.stream(values()).map(DatasetId::cliName).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() { return cliName; }
}
