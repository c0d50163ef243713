package dev.codellm.server;

import java.util.List;

/**
 * Finds stop strings in streamed text that may split them across tokens: text that could still
 * be the start of a stop string is held back until it either completes one or cannot.
 */
final class StopScanner {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopScanner(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds text; returns what can be released now (everything before a found stop string). */
    String push(String text) {
        if (stopped) return "";
        if (stops.isEmpty()) return text;
        pending.append(text);
        int first = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        if (first >= 0) {
            stopped = true;
            String out = pending.substring(0, first);
            pending.setLength(0);
            return out;
        }
        int hold = longestStopPrefixSuffix();
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    /** True once a stop string was seen. */
    boolean stopped() { return stopped; }

    /** Held-back text, released when generation ends for another reason. */
    String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Length of the longest suffix of the pending text that is a proper prefix of some stop string. */
    private int longestStopPrefixSuffix() {
        String text = pending.toString();
        int best = 0;
        for (String s : stops) {
            int max = Math.min(s.length() - 1, text.length());
            for (int len = max; len > best; len--) {
                if (text.regionMatches(text.length() - len, s, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
