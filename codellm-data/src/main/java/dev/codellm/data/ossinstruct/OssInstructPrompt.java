package dev.codellm.data.ossinstruct;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Magicoder OSS-Instruct prompt (seed snippet in, "[Problem Description]" and "[Solution]"
 * out) and the parser for the teacher's answer.
 */
public final class OssInstructPrompt {
    private OssInstructPrompt() {}

    public static final String SYSTEM = "You are exceptionally skilled at crafting high-quality programming problems and offering precise solutions.";

    private static final String TEMPLATE = """
            Please gain inspiration from the following random code snippet to create a high-quality programming problem. Present your output in two distinct sections: [Problem Description] and [Solution].

            Code snippet for inspiration:
            ```
            %s
            ```

            Guidelines for each section:

            1. [Problem Description]: This should be **completely self-contained**, providing all the contextual information one needs to understand and solve the problem. Assume common programming knowledge, but ensure that any specific context, variables, or code snippets pertinent to this problem are explicitly included.

            2. [Solution]: Offer a comprehensive, **correct** solution that accurately addresses the [Problem Description] you provided.
            """;

    public static String user(Seed seed) {
        return TEMPLATE.formatted(seed.code().stripTrailing());
    }

    /** A parsed answer; {@code code} is the first fenced block of the solution (or null) and its language tag. */
    public record Parsed(String problem, String solution, String code, String codeLang) {}

    // Headers as models write them: "[Problem Description]", "**[Problem Description]**", "## [Solution]:" ...
    private static final Pattern PROBLEM = Pattern.compile("(?im)^[#*\\s]*\\[Problem Description\\][*:\\s]*$|\\[Problem Description\\][*:]*");
    private static final Pattern SOLUTION = Pattern.compile("(?im)^[#*\\s]*\\[Solution\\][*:\\s]*$|\\[Solution\\][*:]*");
    private static final Pattern FENCE = Pattern.compile("```([\\w+#.-]*)[^\\n]*\\n(.*?)```", Pattern.DOTALL);

    /** Parses an answer; throws {@link IllegalArgumentException} naming the missing part. */
    public static Parsed parse(String answer) {
        if (answer == null || answer.isBlank()) throw new IllegalArgumentException("empty answer");
        Matcher p = PROBLEM.matcher(answer);
        if (!p.find()) throw new IllegalArgumentException("missing [Problem Description]");
        Matcher s = SOLUTION.matcher(answer);
        if (!s.find(p.end())) throw new IllegalArgumentException("missing [Solution]");
        String problem = answer.substring(p.end(), s.start()).strip();
        String solution = answer.substring(s.end()).strip();
        if (problem.isEmpty()) throw new IllegalArgumentException("empty problem description");
        if (solution.isEmpty()) throw new IllegalArgumentException("empty solution");
        Matcher f = FENCE.matcher(solution);
        String code = null, lang = null;
        if (f.find()) {
            code = f.group(2);
            lang = f.group(1).isEmpty() ? null : f.group(1).toLowerCase();
        }
        return new Parsed(problem, solution, code, lang);
    }
}
