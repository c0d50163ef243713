package dev.codellm.core.io;

import dev.codellm.core.CodellmException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Input that may be gzipped, recognised by its magic bytes (not by the file name). */
public final class Gzip {
    private Gzip() {}

    public static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    /** The uncompressed bytes ({@code b} itself when it is not gzip); {@code where} names it in errors. */
    public static byte[] maybeGunzip(byte[] b, String where) {
        if (!isGzip(b)) return b;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CodellmException("corrupt gzip data in " + where + ": " + e.getMessage());
        }
    }
}
