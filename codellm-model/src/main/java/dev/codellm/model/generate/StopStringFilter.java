package dev.codellm.model.generate;

import java.util.List;

/**
 * Finds stop strings in streamed text that arrives in arbitrary pieces (one token's text at a
 * time), so a stop string split across tokens is still found and never shown to the user.
 *
 * <p>Text that could still be the beginning of a stop string is held back until the next piece
 * decides it; {@link #push} returns only text that is certainly part of the output.
 */
public final class StopStringFilter {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    public StopStringFilter(List<String> stops) {
        this.stops = stops.stream().filter(s -> s != null && !s.isEmpty()).toList();
    }

    /** True once a stop string was seen; later pushes return "". */
    public boolean stopped() { return stopped; }

    /**
     * Adds a piece of generated text and returns what may be emitted now: everything before a
     * stop string (then {@link #stopped()} is true and the rest is dropped), or everything except
     * a tail that is a proper prefix of some stop string.
     */
    public String push(String piece) {
        if (stopped) return "";
        pending.append(piece);
        int first = -1;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0) {
            stopped = true;
            String out = pending.substring(0, first);
            pending.setLength(0);
            return out;
        }
        int keep = heldBackLength();
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    /** The held-back text, when generation ends for another reason (it was not a stop string). */
    public String flush() {
        if (stopped) return "";
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    /** Length of the longest tail of {@code pending} that some stop string starts with. */
    private int heldBackLength() {
        int best = 0;
        String text = pending.toString();
        for (String s : stops) {
            int max = Math.min(s.length() - 1, pending.length());
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
