package dev.codellm.decontam;

import java.util.List;

/**
 * What happens to one input line. Serializable: the Spark job keeps decided rows, which may
 * spill to disk.
 *
 * @param kind    clean, removed, skipped (bad input, with a reason) or blank (not a record)
 * @param matched for removed records, the {@code benchmark:taskId} labels matched, sorted
 * @param reason  for skipped lines, a short category (e.g. {@code malformed JSON})
 * @param detail  for skipped lines, the parser's message
 */
public record Decision(Kind kind, List<String> matched, String reason, String detail) implements java.io.Serializable {
    public enum Kind { CLEAN, REMOVED, SKIPPED, BLANK }

    public static final Decision CLEAN = new Decision(Kind.CLEAN, List.of(), null, null);
    public static final Decision BLANK = new Decision(Kind.BLANK, List.of(), null, null);

    public static Decision removed(List<String> matched) {
        return new Decision(Kind.REMOVED, List.copyOf(matched), null, null);
    }

    public static Decision skipped(String reason, String detail) {
        return new Decision(Kind.SKIPPED, List.of(), reason, detail);
    }
}
