package dev.codellm.core.benchmark;

import java.util.List;

/**
 * One benchmark dataset as every stage knows it: eval runs it, decontam protects it, the data
 * analysis compares against it. The list of them is {@link BenchmarkRegistry}.
 *
 * @param name            the canonical name, as runs and reports write it ({@code humaneval+})
 * @param aliases         other accepted spellings ({@code humanevalplus}); names match case-insensitively
 * @param slug            the name in file names and labels ({@code humanevalplus}): decontam's
 *                        {@code humanevalplus:HumanEval/0}, cache directories
 * @param relativePath    the file under a datasets directory ({@code humanevalplus/HumanEvalPlus-v0.1.10.jsonl.gz})
 * @param url             the official release to download when no local copy exists; null when
 *                        there is no single-file release (the file must then be present)
 * @param sha256          SHA-256 (hex) of the file's <em>uncompressed</em> content, so a re-gzipped copy verifies
 * @param promptFields    the record fields a model is shown (what decontam protects as prompts)
 * @param solutionFields  the fields holding reference solutions (empty when there are none)
 * @param decontamDefault whether {@code decontam} protects it when no {@code --benchmarks} is given
 */
public record BenchmarkSpec(String name, List<String> aliases, String slug, String relativePath, String url, String sha256,
                            List<String> promptFields, List<String> solutionFields, boolean decontamDefault) {
    public BenchmarkSpec {
        aliases = List.copyOf(aliases);
        promptFields = List.copyOf(promptFields);
        solutionFields = List.copyOf(solutionFields);
    }

    /** Whether {@code s} is this benchmark's name, slug or one of its aliases (case and surrounding blanks ignored). */
    public boolean isNamed(String s) {
        String k = s.strip();
        if (k.equalsIgnoreCase(name) || k.equalsIgnoreCase(slug)) return true;
        for (String a : aliases) if (k.equalsIgnoreCase(a)) return true;
        return false;
    }

    @Override
    public String toString() { return name; }
}
