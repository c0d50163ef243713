package dev.codellm.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * JSON-lines files: one JSON object per line, plain or gzipped (recognised by its magic bytes).
 *
 * <p>Two readers, for two kinds of file:
 * <ul>
 *   <li>{@link #read} — <b>strict</b>, for input (datasets, user samples, corpora): every
 *       non-blank line must be a JSON object; the first that is not is an error naming the file
 *       and line.</li>
 *   <li>{@link #readTolerant} — for the files a run appends to itself ({@code samples.jsonl},
 *       results, teacher answers), which a crash may leave mid-write. <b>The one torn-line
 *       policy</b>: only a torn <em>last</em> line is tolerated. {@link Appender} writes each line
 *       with its newline in one write, so a crash can only leave an unterminated tail: if that
 *       tail is not a whole JSON object it is cut off (the work it described is redone); if it
 *       is, it is kept and its newline added. A corrupt line anywhere before the tail was not
 *       made by a crash: it is an error naming {@code file:line}, and the file is left as it
 *       is, so nothing after it is lost.</li>
 * </ul>
 */
public final class Jsonl {
    /** A parsed line and where it came from ({@code "<what> line <n>"}), for error messages. */
    public record Line(String where, ObjectNode json) {}

    /** What {@link #readTolerant} found: the whole lines, and whether a torn last line was cut off. */
    public record Tolerant(List<Line> lines, boolean tornLineDropped) {
        public List<ObjectNode> rows() {
            return lines.stream().map(Line::json).toList();
        }
    }

    private Jsonl() {}

    /**
     * Strict read of an input file; gzip is unpacked.
     *
     * @param what names the file in errors, e.g. {@code "samples file"}
     */
    public static List<Line> read(Path file, String what) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CodellmException(what + " not found: " + file);
        } catch (IOException e) {
            throw new CodellmException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
        return parse(new String(Gzip.maybeGunzip(raw, what + " " + file), StandardCharsets.UTF_8), what + " " + file);
    }

    /** Strict parse of JSON-lines text; {@code what} names its source in errors. */
    public static List<Line> parse(String text, String what) {
        List<Line> rows = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            String where = what + " line " + (i + 1);
            rows.add(new Line(where, object(line, where)));
        }
        return rows;
    }

    private static ObjectNode object(String line, String where) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new CodellmException(where + ": malformed JSON: " + Json.firstLine(e.getOriginalMessage()));
        }
        if (!(n instanceof ObjectNode o)) throw new CodellmException(where + ": not a JSON object");
        return o;
    }

    /**
     * Reads a file this program appends to, under the torn-line policy above, and repairs its
     * end so that appending can continue: a torn last line is truncated away, a whole last line
     * without its newline gets one. A missing file reads as empty.
     */
    public static Tolerant readTolerant(Path file) {
        if (!Files.exists(file)) return new Tolerant(List.of(), false);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CodellmException("cannot read " + file + ": " + e.getMessage());
        }
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') end--;  // [0, end) is whole lines
        List<Line> out = new ArrayList<>();
        int lineNo = 0, start = 0;
        for (int i = 0; i < end; i++) {
            if (all[i] != '\n') continue;
            lineNo++;
            String line = new String(all, start, i - start, StandardCharsets.UTF_8).strip();
            start = i + 1;
            if (line.isEmpty()) continue;
            String where = file + ":" + lineNo;
            try {
                out.add(new Line(where, object(line, where)));
            } catch (CodellmException e) {
                throw new CodellmException(e.getMessage() + " (only a torn last line, as a crash leaves it, is tolerated:"
                        + " repair or delete line " + lineNo + ", then rerun)");
            }
        }
        String tail = new String(all, end, all.length - end, StandardCharsets.UTF_8).strip();
        if (tail.isEmpty()) return new Tolerant(out, false);
        String where = file + ":" + (lineNo + 1);
        try {
            out.add(new Line(where, object(tail, where)));
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(all.length);
                raf.write('\n');
            }
            return new Tolerant(out, false);
        } catch (CodellmException torn) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(end);
            } catch (IOException e) {
                throw new CodellmException("cannot repair the torn last line of " + file + ": " + e.getMessage());
            }
            return new Tolerant(out, true);
        } catch (IOException e) {
            throw new CodellmException("cannot repair the last line of " + file + ": " + e.getMessage());
        }
    }

    /**
     * Appends one JSON object per line. Each {@link #append} writes the line and its newline in
     * one system call before it returns, so the line survives a kill -9 of the process at any
     * later moment; {@link #close} also syncs the file to disk. Thread-safe. The file must end
     * with a whole line (read it with {@link #readTolerant} first after a crash).
     */
    public static final class Appender implements AutoCloseable {
        private final Path file;
        private final FileOutputStream out;

        public Appender(Path file) {
            this.file = file;
            try {
                if (Files.exists(file) && Files.size(file) > 0) {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                        raf.seek(raf.length() - 1);
                        if (raf.read() != '\n') {
                            throw new IllegalStateException(file + " ends inside a line: read it with Jsonl.readTolerant before appending");
                        }
                    }
                }
                // Not Files.newOutputStream: its channel is closed for every thread when one writer is interrupted.
                this.out = new FileOutputStream(file.toFile(), true);
            } catch (IOException e) {
                throw new CodellmException("cannot write " + file + ": " + e.getMessage());
            }
        }

        public synchronized void append(JsonNode row) {
            byte[] json;
            try {
                json = Json.MAPPER.writeValueAsBytes(row);
            } catch (JsonProcessingException e) {
                throw new CodellmException("cannot render a line of " + file + ": " + e.getMessage());
            }
            byte[] line = Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            try {
                out.write(line);
            } catch (IOException e) {
                throw new CodellmException("cannot append to " + file + ": " + e.getMessage());
            }
        }

        @Override
        public synchronized void close() {
            try (OutputStream o = out) {
                out.getFD().sync();
            } catch (IOException e) {
                // every line was written when append returned; only the final sync failed
            }
        }
    }
}
