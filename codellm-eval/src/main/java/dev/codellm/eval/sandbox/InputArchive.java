package dev.codellm.eval.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A run's input files as one POSIX ustar stream: the sandbox gets them on a single fd and GNU tar
 * inside unpacks them into the work dir (a tmpfs of the sandbox's own, so no host directory is
 * bound). One stream rather than one fd per file because the launcher is dash, whose redirections
 * reach single-digit fds only. Entries are plain files, mode 0644, owner 0, mtime 0; tar makes the
 * parent directories. Names are {@link RunRequest}'s checked relative paths.
 */
final class InputArchive {
    private static final int BLOCK = 512;

    private InputArchive() {}

    static void write(Map<String, byte[]> files, OutputStream out) throws IOException {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            out.write(header(f.getKey(), f.getValue().length));
            out.write(f.getValue());
            int pad = (BLOCK - f.getValue().length % BLOCK) % BLOCK;
            out.write(new byte[pad]);
        }
        out.write(new byte[2 * BLOCK]); // end of archive
    }

    /** One ustar header; a name over 100 bytes is split at a '/' into prefix (155) and name (100). */
    static byte[] header(String name, long size) {
        byte[] h = new byte[BLOCK];
        byte[] full = name.getBytes(StandardCharsets.UTF_8);
        byte[] prefix = new byte[0], rest = full;
        if (full.length > 100) {
            int cut = -1;
            for (int i = Math.min(full.length - 1, 155); i >= 0; i--) {
                if (full[i] == '/' && full.length - i - 1 <= 100 && full.length - i - 1 > 0) {
                    cut = i;
                    break;
                }
            }
            if (cut < 0) throw new IllegalArgumentException("sandbox file name too long for the input archive: " + name);
            prefix = java.util.Arrays.copyOfRange(full, 0, cut);
            rest = java.util.Arrays.copyOfRange(full, cut + 1, full.length);
        }
        System.arraycopy(rest, 0, h, 0, rest.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        h[156] = '0';
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        System.arraycopy(prefix, 0, h, 345, prefix.length);
        // The checksum is the byte sum with its own field counted as eight spaces.
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    /** {@code len - 1} zero-padded octal digits then NUL, as ustar's numeric fields are. */
    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) throw new IllegalArgumentException("value too large for a ustar field: " + value);
        s = "0".repeat(len - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }
}
