package dev.codellm.core.benchmark;

import dev.codellm.core.CodellmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every benchmark the project knows, once: ids and aliases, where the file lives in the shared
 * datasets directory, the official URL and checksum, and which fields hold prompts and
 * solutions. Eval, decontam, oss-instruct and the data analysis all look names up here, so
 * every place accepts every alias ({@code humaneval+} and {@code humanevalplus} alike).
 * Checksums and provenance: {@code datasets/<dir>/SOURCE.md} in the shared data.
 */
public final class BenchmarkRegistry {
    private BenchmarkRegistry() {}

    public static final BenchmarkSpec HUMANEVAL = new BenchmarkSpec("humaneval", List.of("openai_humaneval", "human-eval"), "humaneval",
            "humaneval/HumanEval.jsonl.gz",
            "https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz",
            "1d49078ba3e2b196b9344535bef34a43021f038fad9561d6ee7c53450609a6a2",
            List.of("prompt"), List.of("canonical_solution"), true);

    public static final BenchmarkSpec HUMANEVAL_PLUS = new BenchmarkSpec("humaneval+", List.of("humaneval-plus", "humaneval_plus"), "humanevalplus",
            "humanevalplus/HumanEvalPlus-v0.1.10.jsonl.gz",
            "https://github.com/evalplus/humanevalplus_release/releases/download/v0.1.10/HumanEvalPlus.jsonl.gz",
            "42526ec0e7d5f3ee0b06d6ced98f8c8bae3d76519151bfb3d36f79010645bd7f",
            List.of("prompt"), List.of("canonical_solution"), true);

    /** Original MBPP at the google-research revision the project pins (see datasets/mbpp/SOURCE.md). */
    public static final BenchmarkSpec MBPP = new BenchmarkSpec("mbpp", List.of(), "mbpp",
            "mbpp/mbpp.jsonl.gz",
            "https://raw.githubusercontent.com/google-research/google-research/2251e8c67a7fe7d6348714967ee101080b28e956/mbpp/mbpp.jsonl",
            "0b7004a79cd62d9ec7ecdd5a6e5f0ef1210ff00b286df3c5d5b57bf38c58e19a",
            List.of("text"), List.of("code"), true);

    public static final BenchmarkSpec MBPP_PLUS = new BenchmarkSpec("mbpp+", List.of("mbpp-plus", "mbpp_plus"), "mbppplus",
            "mbppplus/MbppPlus-v0.2.0.jsonl.gz",
            "https://github.com/evalplus/mbppplus_release/releases/download/v0.2.0/MbppPlus.jsonl.gz",
            "b54e762755248ca411b523c917fa9f93c07b5ff2966bf60b3917b853926a3dad",
            List.of("prompt"), List.of("canonical_solution"), true);

    /**
     * DS-1000 (Lai et al. 2023), the official simplified-format file (04/2024) of xlang-ai/DS-1000 at
     * the commit its SOURCE.md pins; {@code ds1000/<library>,...} selects libraries in eval.
     */
    public static final BenchmarkSpec DS1000 = new BenchmarkSpec("ds1000", List.of("ds-1000", "ds_1000"), "ds1000",
            "ds1000/ds1000.jsonl.gz",
            "https://github.com/xlang-ai/DS-1000/raw/b39aab71da6d23ef8d3cac59a7c5f834516ab334/data/ds1000.jsonl.gz",
            "26a492838b05f9d030b2f08a5715c6bafecafb601c157da912bf417fd8b0d363",
            List.of("prompt"), List.of("reference_code"), false);

    /** MultiPL-E's prefix: {@code multipl-e/<lang>} names one language's HumanEval translation. */
    public static final String MULTIPL_E = "multipl-e";

    private static final List<BenchmarkSpec> ALL = all(List.of(HUMANEVAL, HUMANEVAL_PLUS, MBPP, MBPP_PLUS));

    /**
     * MultiPL-E v2.x HumanEval translations (rebuilt from upstream as datasets/multipl-e/SOURCE.md
     * describes; no single-file release to download), SHA-256 of the uncompressed jsonl.
     */
    private static List<BenchmarkSpec> all(List<BenchmarkSpec> python) {
        List<BenchmarkSpec> all = new ArrayList<>(python);
        String[][] langs = {
            {"cpp", "f8300824838b25a275898aa3fd537c01cafd9f9b6c4a409a01bfc73cd8c5cd50"},
            {"java", "5a47e3c89de891aac74db7b18a227b407b59832c0f904f0b9c688ddbb6d7b356"},
            {"js", "7fc1564fa40f9659e234e61d39ea33625d3ba1b8c493883018c7034770966cb6"},
            {"ts", "824f4bae8020f1770bad67d4747df2283f1d3d655435ffc0b0d8e8fee5ff4312"},
            {"php", "d001dbeaa50f89dbfb6d5f586d1abab14f78a82f8b7e0c317420990539ffff35"},
            {"cs", "9d784d1a1b24de8fb3eaaf2b8d8498aa9fbc0f00fca33f09e512cff705893a04"},
            {"sh", "38a9d9346c142da7250f45d0b8c6ee3e885606f2989dc2433b39e7ee3e1b2750"},
            {"rs", "17fd4b50caf453a247a49e4ad1858b5ed0a0fcaa1ebbe64bab9b7dcf9092ecf1"},
            {"go", "7a6dc7a588c462a40642e773577c336866699b6d2a7d78504879b662ed0deb32"},
        };
        for (String[] l : langs) {
            all.add(new BenchmarkSpec(MULTIPL_E + "/" + l[0], List.of("humaneval-" + l[0]), "multipl-e-" + l[0],
                    "multipl-e/humaneval-" + l[0] + ".jsonl.gz", null, l[1], List.of("prompt"), List.of(), false));
        }
        all.add(DS1000);
        return List.copyOf(all);
    }

    /** Every known benchmark: the four Python ones, the MultiPL-E languages, DS-1000. */
    public static List<BenchmarkSpec> all() { return ALL; }

    /** The benchmarks {@code decontam} protects by default: HumanEval(+), MBPP(+). */
    public static List<BenchmarkSpec> decontamDefaults() {
        return ALL.stream().filter(BenchmarkSpec::decontamDefault).toList();
    }

    public static Optional<BenchmarkSpec> find(String nameOrAlias) {
        return ALL.stream().filter(b -> b.isNamed(nameOrAlias)).findFirst();
    }

    /** The named benchmark, or a one-line error listing the names there are. */
    public static BenchmarkSpec get(String nameOrAlias) {
        return find(nameOrAlias).orElseThrow(() -> new CodellmException("unknown benchmark '" + nameOrAlias + "' (known: " + names() + ")"));
    }

    /** The MultiPL-E translation into a language ({@code cpp}, {@code java}, ...), or empty. */
    public static Optional<BenchmarkSpec> multiplE(String languageCode) {
        return find(MULTIPL_E + "/" + languageCode);
    }

    /** The canonical names, comma-separated (MultiPL-E as one {@code multipl-e/<lang>} entry). */
    public static String names() {
        List<String> n = new ArrayList<>();
        for (BenchmarkSpec b : ALL) {
            if (!b.name().startsWith(MULTIPL_E + "/")) n.add(b.name());
            else if (!n.contains(MULTIPL_E + "/<")) n.add(MULTIPL_E + "/<");  // the group's place, filled in below
        }
        n.set(n.indexOf(MULTIPL_E + "/<"), MULTIPL_E + "/<" + ALL.stream().filter(b -> b.name().startsWith(MULTIPL_E + "/"))
                .map(b -> b.name().substring(MULTIPL_E.length() + 1)).collect(Collectors.joining("|")) + ">");
        return String.join(", ", n);
    }
}
