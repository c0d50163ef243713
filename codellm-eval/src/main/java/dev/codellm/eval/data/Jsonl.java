package dev.codellm.eval.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.CodellmException;
import dev.codellm.eval.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one strict reader of JSON-lines input (datasets, user samples files), plain or gzipped:
 * every non-blank line must be a JSON object, and errors name the file and line. (The run's own
 * files, which a kill may tear, are read by {@code SamplesFile.readJsonlTolerant}.)
 */
public final class Jsonl {
    /** A parsed line and where it came from ({@code "<what> line <n>"}), for error messages. */
    public record Line(String where, ObjectNode json) {}

    private Jsonl() {}

    /**
     * Reads a file; gzip (by its magic bytes) is unpacked.
     *
     * @param what names the file in errors, e.g. {@code "samples file"}
     */
    public static List<Line> read(Path file, String what) {
        return parse(new String(bytes(file, what), StandardCharsets.UTF_8), what + " " + file);
    }

    private static byte[] bytes(Path file, String what) {
        try {
            return DatasetFiles.maybeGunzip(Files.readAllBytes(file), what + " " + file);
        } catch (NoSuchFileException e) {
            throw new CodellmException(what + " not found: " + file);
        } catch (IOException e) {
            throw new CodellmException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    /** Parses JSON-lines text; {@code what} names its source in errors. */
    public static List<Line> parse(String text, String what) {
        List<Line> rows = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            String where = what + " line " + (i + 1);
            try {
                JsonNode n = Json.MAPPER.readTree(line);
                if (!(n instanceof ObjectNode o)) throw new CodellmException(where + ": not a JSON object");
                rows.add(new Line(where, o));
            } catch (JsonProcessingException e) {
                throw new CodellmException(where + ": malformed JSON: " + e.getOriginalMessage());
            }
        }
        return rows;
    }
}
