package dev.codellm.core.io;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.codellm.core.CodellmException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one JSON mapper every module uses. Benchmark files are written by Python's json module,
 * which emits {@code NaN}, {@code Infinity} and {@code -Infinity} as bare tokens (EvalPlus
 * inputs hold them): the mapper reads them and writes them back the same way (not as strings),
 * so values reach a Python harness unchanged. Otherwise it is Jackson's default configuration.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    /**
     * Standard JSON only (RFC 8259), for the HTTP API on the wire: a request spelling {@code NaN}
     * is malformed (400), and a non-finite number goes out as a string, never as a bare token that
     * JavaScript's {@code JSON.parse} and strict client SDKs reject. Files use {@link #MAPPER}.
     */
    public static final ObjectMapper WIRE = JsonMapper.builder().build();

    private Json() {}

    /** Reads a whole JSON file; errors name the file, as one line. */
    public static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new CodellmException("file not found: " + file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new CodellmException("cannot read " + file + ": malformed JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + plainLocations(firstLine(e.getOriginalMessage())));
        } catch (IOException e) {
            throw new CodellmException("cannot read " + file + ": " + firstLine(e.getMessage()));
        }
    }

    /**
     * Jackson's messages name positions as {@code [Source: REDACTED (`StreamReadFeature...` disabled);
     * line: 1, column: 19]}; the user knows the file already, so just {@code line 1, column 19}.
     */
    static String plainLocations(String message) {
        return message.replaceAll("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]", "line $1, column $2");
    }

    /** {@code value} pretty-printed (Jackson's default printer), ending with a newline. */
    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
        } catch (IOException e) {
            throw new CodellmException("cannot render JSON: " + e.getMessage());
        }
    }

    /** One compact line of JSON (no newline). */
    public static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new CodellmException("cannot render JSON: " + e.getMessage());
        }
    }

    /**
     * Writes {@code value} pretty-printed to {@code file}, replacing it atomically: a reader (or a
     * kill mid-write) sees the old file or the new one, never half of one.
     */
    public static void write(Path file, Object value) {
        OutputFiles.writeAtomically(file, pretty(value));
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
