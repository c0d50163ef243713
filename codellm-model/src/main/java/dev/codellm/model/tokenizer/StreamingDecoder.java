package dev.codellm.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a stream of token ids into text pieces that are always whole UTF-8 characters: bytes of a
 * character split over several tokens (emoji, CJK under byte fallback or byte-level BPE) are held
 * until the character is complete. Control tokens produce no text. Not thread-safe: one per stream.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int size;

    StreamingDecoder(Tokenizer tokenizer) { this.tokenizer = tokenizer; }

    /** The text that token {@code id} completes (possibly empty). */
    public String accept(int id) {
        tokenizer.checkId(id);
        if (tokenizer.isHidden(id)) return "";
        byte[] piece = tokenizer.piece(id);
        if (size + piece.length > pending.length) pending = Arrays.copyOf(pending, Math.max(pending.length * 2, size + piece.length));
        System.arraycopy(piece, 0, pending, size, piece.length);
        size += piece.length;
        int complete = Utf8.completePrefix(pending, size);
        if (complete == 0) return "";
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, size - complete);
        size -= complete;
        return text;
    }

    /** Whatever is still held back (an unfinished character becomes U+FFFD); the decoder is then empty. */
    public String flush() {
        String text = new String(pending, 0, size, StandardCharsets.UTF_8);
        size = 0;
        return text;
    }

    /** True when bytes of an unfinished character are being held. */
    public boolean hasPending() { return size > 0; }
}
