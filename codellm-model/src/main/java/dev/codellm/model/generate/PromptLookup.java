package dev.codellm.model.generate;

/**
 * Prompt-lookup decoding's drafter (Saxena's "prompt lookup decoding", llama.cpp's
 * {@code llama-lookup}): the tokens that followed the most recent earlier occurrence of the
 * sequence's last n tokens (n from {@link #MAX_NGRAM} down to 1, the longest match wins) are
 * guessed to come next. Code edits, refactorings and answers quoting the prompt repeat long runs of
 * it, and a run found this way is verified in one batched forward pass instead of token by token.
 * The guess never changes the output: the generation loop ({@link LocalGenerator}, the server's
 * scheduler) keeps a drafted token only where the sampler, given the verified logits, picks it itself.
 */
public final class PromptLookup {
    /** The longest n-gram looked up: three tokens already pin a place in code well. */
    public static final int MAX_NGRAM = 3;

    private PromptLookup() {}

    /**
     * Up to {@code max} tokens drafted after {@code history} (prompt + generated so far); empty
     * when {@code max <= 0} or the last token never occurred before.
     */
    public static int[] draft(TokenHistory history, int max) {
        int size = history.size();
        if (max <= 0 || size < 2) return new int[0];
        for (int n = Math.min(MAX_NGRAM, size - 1); n >= 1; n--) {
            // the match ends at `end` (exclusive) before the current tail; the most recent one is nearest in text
            for (int end = size - 1; end >= n; end--) {
                if (matches(history, end - n, size - n, n)) {
                    int count = Math.min(max, size - end);
                    int[] d = new int[count];
                    for (int i = 0; i < count; i++) d[i] = history.get(end + i);
                    return d;
                }
            }
        }
        return new int[0];
    }

    private static boolean matches(TokenHistory h, int a, int b, int n) {
        for (int i = 0; i < n; i++) if (h.get(a + i) != h.get(b + i)) return false;
        return true;
    }
}
