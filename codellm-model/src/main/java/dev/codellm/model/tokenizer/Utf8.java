package dev.codellm.model.tokenizer;

/** Small UTF-8 helpers shared by the encoders and the streaming decoder. */
final class Utf8 {
    private Utf8() {}

    /** The length of the sequence a lead byte starts (1 for continuation or invalid bytes, as llama.cpp). */
    static int sequenceLength(byte lead) {
        int b = lead & 0xff;
        if (b < 0x80) return 1;
        if (b < 0xC0) return 1;
        if (b < 0xE0) return 2;
        if (b < 0xF0) return 3;
        if (b < 0xF8) return 4;
        return 1;
    }

    /** The code point of the {@code len}-byte sequence at {@code off} (no validation: input comes from Java strings). */
    static int decode(byte[] b, int off, int len) {
        int lead = b[off] & 0xff;
        return switch (len) {
            case 2 -> (lead & 0x1F) << 6 | (b[off + 1] & 0x3F);
            case 3 -> (lead & 0x0F) << 12 | (b[off + 1] & 0x3F) << 6 | (b[off + 2] & 0x3F);
            case 4 -> (lead & 0x07) << 18 | (b[off + 1] & 0x3F) << 12 | (b[off + 2] & 0x3F) << 6 | (b[off + 3] & 0x3F);
            default -> lead;
        };
    }

    /**
     * How many bytes of {@code buf[0, n)} form complete characters: a trailing lead byte whose
     * continuation bytes have not all arrived yet is held back; anything else (valid or not) is complete.
     */
    static int completePrefix(byte[] buf, int n) {
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = buf[n - back] & 0xff;
            if ((b & 0xC0) == 0x80) continue; // continuation byte: keep looking for its lead
            int need = b >= 0xF0 && b < 0xF8 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC0 && b < 0xE0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
