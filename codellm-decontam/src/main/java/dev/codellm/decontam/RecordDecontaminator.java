package dev.codellm.decontam;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * Decides the fate of one jsonl line: parses it with a streaming parser (no object tree), feeds
 * every string value (or only those under the chosen top-level fields) to the method's scanner,
 * and reports the benchmark tasks matched. Removed lines are rewritten by appending one field,
 * {@value #MATCH_FIELD}, so every original field keeps its value and its place.
 *
 * <p>This is the single piece of logic both the in-process pipeline and the Spark job call.
 */
public final class RecordDecontaminator implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String MATCH_FIELD = "decontam_matches";

    private final Method method;
    private final Set<String> textFields;

    /** @param textFields top-level fields whose strings are scanned; null or empty = all strings */
    public RecordDecontaminator(Method method, Set<String> textFields) {
        this.method = method;
        this.textFields = textFields == null || textFields.isEmpty() ? null : Set.copyOf(textFields);
    }

    public Method method() { return method; }

    public Worker newWorker() {
        return new Worker();
    }

    /** Per-thread state. Not thread-safe. */
    public final class Worker {
        private final JsonFactory json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE).maxNestingDepth(1000).build())
                .build();
        private final Method.Scanner scanner = method.newScanner();
        private final boolean fromBytes = scanner.wantsNormalised();
        private final BitSet found = new BitSet();
        private char[] norm = new char[0];

        public Decision decide(String line) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            return decide(b, 0, b.length);
        }

        public Decision decide(byte[] buf, int off, int len) {
            int start = off, end = off + len;
            while (start < end && isSpace(buf[start])) start++;
            while (end > start && isSpace(buf[end - 1])) end--;
            if (start == end) return Decision.BLANK;
            if (buf[start] != '{') return Decision.skipped("not a JSON object", "line does not start with '{'");
            scanner.reset();
            try (JsonParser p = json.createParser(buf, start, end - start)) {
                int depth = 0;
                boolean scan = textFields == null;
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    switch (t) {
                        case START_OBJECT, START_ARRAY -> depth++;
                        case END_OBJECT, END_ARRAY -> {
                            if (--depth == 0 && p.nextToken() != null) {
                                return Decision.skipped("malformed JSON", "trailing content after the object");
                            }
                        }
                        case FIELD_NAME -> {
                            if (depth == 1 && textFields != null) scan = textFields.contains(p.currentName());
                        }
                        case VALUE_STRING -> {
                            if (scan && fromBytes) {
                                // Normalise the literal's bytes in place of decoding it: the parser then
                                // only skips (and validates) the string, with no char copy made.
                                int q = start + (int) p.currentTokenLocation().getByteOffset() + 1;
                                if (norm.length < end - q) norm = new char[Math.max(end - q, 2 * norm.length)];
                                scanner.normalisedField(norm, Normalizer.lettersAndDigitsOfJsonString(buf, q, end, norm));
                            } else if (scan) {
                                scanner.field(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                            }
                        }
                        default -> { }
                    }
                    if (depth == 0) break;
                }
            } catch (IOException e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                int nl = msg.indexOf('\n');
                return Decision.skipped("malformed JSON", nl > 0 ? msg.substring(0, nl) : msg);
            }
            found.clear();
            scanner.matches(found);
            if (found.isEmpty()) return Decision.CLEAN;
            List<String> labels = new ArrayList<>();
            for (int i = found.nextSetBit(0); i >= 0; i = found.nextSetBit(i + 1)) labels.add(method.tasks().label(i));
            labels.sort(null);
            return Decision.removed(labels);
        }
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /**
     * The removed line: the original object with {@value #MATCH_FIELD} appended before its
     * closing brace. The line must be one that {@link Worker#decide} parsed as an object.
     */
    public static String withMatches(String line, List<String> matched) {
        String s = line.strip();
        int close = s.lastIndexOf('}');
        String body = s.substring(0, close).stripTrailing();
        StringBuilder sb = new StringBuilder(s.length() + 64).append(body);
        if (!body.endsWith("{")) sb.append(',');
        sb.append('"').append(MATCH_FIELD).append("\":[");
        JsonStringEncoder enc = JsonStringEncoder.getInstance();
        for (int i = 0; i < matched.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append('"');
            enc.quoteAsString(matched.get(i), sb);
            sb.append('"');
        }
        return sb.append("]}").toString();
    }
}
