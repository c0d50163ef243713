package dev.codellm.eval.multipl;

import java.util.Map;

/**
 * The outcome of one language in a MultiPL-E run.
 *
 * @param language        the language
 * @param missingPackages non-empty when the toolchain is absent: the language was not scored
 * @param problems        problems evaluated
 * @param samplesPerTask  completions per problem (n)
 * @param passAtK         {@code pass@1}, {@code pass@10}, ... over all problems
 * @param statusCounts    how many programs ended in each status
 * @param flagged         problems whose tests cannot pass for any completion (C#'s {@code .Equals}
 *                        on lists in MultiPL-E v2.x), still counted in {@code passAtK}
 * @param passAtKUnflagged the same scores over the problems that are not flagged
 */
public record LanguageScore(MultiplLanguage language, java.util.List<String> missingPackages, int problems, int samplesPerTask,
                            Map<String, Double> passAtK, Map<Status, Integer> statusCounts, int flagged,
                            Map<String, Double> passAtKUnflagged) {

    public boolean scored() { return missingPackages.isEmpty(); }

    public double passAt1() { return passAtK.getOrDefault("pass@1", Double.NaN); }
}
