package dev.codellm.core.io;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @TempDir
    Path tmp;

    @Test
    void readsAndWritesPythonsNonNumericNumbersAsBareTokens() throws Exception {
        // What Python's json.dumps writes for float('nan'), float('inf'), -float('inf').
        JsonNode n = Json.MAPPER.readTree("{\"a\": NaN, \"b\": Infinity, \"c\": -Infinity, \"d\": [1.5]}");
        assertTrue(Double.isNaN(n.get("a").asDouble()));
        assertEquals(Double.POSITIVE_INFINITY, n.get("b").asDouble());
        assertEquals("{\"a\":NaN,\"b\":Infinity,\"c\":-Infinity,\"d\":[1.5]}", Json.line(n), "not turned into strings");
    }

    @Test
    void writeIsAtomicPrettyAndCreatesFilesLikeAnyOther() throws Exception {
        Path f = tmp.resolve("sub/report.json");
        Json.write(f, Json.MAPPER.createObjectNode().put("k", 1));
        assertEquals("{\n  \"k\" : 1\n}\n", Files.readString(f));
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
        // The mode follows the umask like a plain new file's, not Files.createTempFile's 0600.
        Path plain = tmp.resolve("plain");
        Files.writeString(plain, "x");
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        assertEquals(expected, Files.getPosixFilePermissions(f));
    }

    @Test
    void readErrorsNameTheFile() throws Exception {
        CodellmException e = assertThrows(CodellmException.class, () -> Json.read(tmp.resolve("nope.json")));
        assertEquals("file not found: " + tmp.resolve("nope.json"), e.getMessage());
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"a\":");
        e = assertThrows(CodellmException.class, () -> Json.read(bad));
        assertTrue(e.getMessage().startsWith("cannot read " + bad + ": malformed JSON at line 1, column 6: "), e.getMessage());
        // an unclosed array: Jackson names where it opened as "[Source: REDACTED (...); line: 1, column: 2]"
        Files.writeString(bad, "{\"architectures\": [\n");
        e = assertThrows(CodellmException.class, () -> Json.read(bad));
        assertEquals("cannot read " + bad + ": malformed JSON at line 2, column 1: Unexpected end-of-input: expected close marker"
                + " for Array (start marker at line 1, column 19)", e.getMessage());
    }
}
