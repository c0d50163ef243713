package dev.codellm.data.decontam;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a jsonl stream into chunks of whole lines (about {@code chunkBytes} each) without looking
 * at the lines: workers split and parse them in parallel. A line longer than {@code maxLineBytes}
 * is dropped as it streams by (never held in memory) and counted as skipped.
 */
final class JsonlChunkReader implements ChunkSource {
    private final InputStream in;
    private final int chunkBytes;
    private final long maxLineBytes;
    private byte[] carry = new byte[0];
    private int carryLen;
    private boolean eof;
    private long linesSeenApprox;

    JsonlChunkReader(InputStream in, int chunkBytes, long maxLineBytes) {
        this.in = in;
        this.chunkBytes = chunkBytes;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Chunk next() throws IOException {
        if (eof && carryLen == 0) return null;
        List<Chunk.Skip> skips = new ArrayList<>();
        byte[] buf = new byte[Math.max(chunkBytes, carryLen + 1)];
        System.arraycopy(carry, 0, buf, 0, carryLen);
        int len = carryLen;
        carryLen = 0;
        while (true) {
            while (!eof && len < buf.length) {
                int r = in.read(buf, len, buf.length - len);
                if (r < 0) eof = true;
                else len += r;
            }
            int lastNl = lastNewline(buf, len);
            if (lastNl >= 0) {
                int rest = len - lastNl - 1;
                if (carry.length < rest) carry = new byte[Math.max(rest, chunkBytes)];
                System.arraycopy(buf, lastNl + 1, carry, 0, rest);
                carryLen = rest;
                return new Chunk(buf, lastNl + 1, skips, null);
            }
            if (eof) return len == 0 && skips.isEmpty() ? null : new Chunk(buf, len, skips, null);
            if (len < maxLineBytes) {
                buf = Arrays.copyOf(buf, (int) Math.min(maxLineBytes, Math.min(Integer.MAX_VALUE - 16, (long) buf.length * 2)));
                continue;
            }
            // One line longer than the limit: drop it up to its newline, keep what follows.
            skips.add(new Chunk.Skip("line too long", "a line longer than " + maxLineBytes + " bytes"));
            len = discardRestOfLine(buf);
        }
    }

    /** Reads and drops bytes up to and including the next newline; the bytes after it go to the start of buf. */
    private int discardRestOfLine(byte[] buf) throws IOException {
        while (true) {
            int r = in.read(buf, 0, buf.length);
            if (r < 0) {
                eof = true;
                return 0;
            }
            for (int i = 0; i < r; i++) {
                if (buf[i] == '\n') {
                    System.arraycopy(buf, i + 1, buf, 0, r - i - 1);
                    return r - i - 1;
                }
            }
        }
    }

    private static int lastNewline(byte[] b, int len) {
        for (int i = len - 1; i >= 0; i--) if (b[i] == '\n') return i;
        return -1;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
