package dev.codellm.eval.multipl;

import dev.codellm.core.CodellmException;
import dev.codellm.eval.sandbox.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code codellm eval --dataset multipl-e[/<lang>]}: runs the chosen languages one after another
 * into {@code out/multipl-e/<lang>/} and writes the combined {@code summary.json} and
 * {@code report.html} into {@code out/multipl-e/}.
 */
public final class MultiplEvaluation {
    public static final String PREFIX = "multipl-e";

    private MultiplEvaluation() {}

    /** Whether a {@code --dataset} value names MultiPL-E. */
    public static boolean matches(String dataset) {
        return dataset.equals(PREFIX) || dataset.startsWith(PREFIX + "/");
    }

    /** {@code multipl-e} → all nine languages; {@code multipl-e/java,cpp} → those. */
    public static List<MultiplLanguage> languages(String dataset) {
        if (dataset.equals(PREFIX)) return List.of(MultiplLanguage.values());
        List<MultiplLanguage> langs = new ArrayList<>();
        for (String code : dataset.substring(PREFIX.length() + 1).split(",")) {
            try {
                langs.add(MultiplLanguage.fromCode(code.strip()));
            } catch (IllegalArgumentException e) {
                throw new CodellmException(e.getMessage());
            }
        }
        return langs;
    }

    /**
     * @param model       what produced the completions (model name or samples file), for the reports
     * @param datasetsDir directory holding {@code multipl-e/humaneval-<lang>.jsonl.gz}
     * @param timeScale   multiplier on MultiPL-E's time limits (1.0 = as MultiPL-E)
     */
    public static MultiplReport run(List<MultiplLanguage> languages, String model, CompletionSource source, Sandbox sandbox, Path datasetsDir,
                                    Path out, int samplesPerTask, int jobs, int limit, double timeScale) {
        Path dir = out.resolve(PREFIX);
        MultiplRun run = new MultiplRun(dir, new MultiplExecutor(sandbox, timeScale), samplesPerTask, jobs, limit);
        List<LanguageScore> scores = new ArrayList<>();
        for (MultiplLanguage lang : languages) {
            scores.add(run.run(lang, MultiplDataset.load(MultiplDataset.file(datasetsDir, lang)), source));
        }
        MultiplReport report = new MultiplReport(model, scores);
        try {
            report.write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return report;
    }
}
