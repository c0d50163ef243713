package dev.codellm.eval.exec;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host-side verdict against Python itself: {@code oracle_reference.py} prints, for pairs of
 * values, what CPython's {@code ==} says and what EvalPlus's {@code outputs_match} (numpy
 * allclose, special oracles; the code the harness ran before) says; {@link PyValue} and
 * {@link EvalPlusOracle} must agree on every one.
 */
class EvalPlusOracleTest {
    private static List<JsonNode> reference(Path dir) throws IOException, InterruptedException {
        for (String name : List.of("oracle_reference.py", "/dev/codellm/eval/exec/codellm_harness.py")) {
            String res = name.startsWith("/") ? name : name;
            try (InputStream in = name.startsWith("/") ? PythonEvaluator.class.getResourceAsStream("codellm_harness.py")
                    : EvalPlusOracleTest.class.getResourceAsStream(res)) {
                assertNotNull(in, name);
                Files.write(dir.resolve(Path.of(name).getFileName().toString()), in.readAllBytes());
            }
        }
        Process p = new ProcessBuilder("/usr/bin/python3", dir.resolve("oracle_reference.py").toString(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (IOException e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }

    @Test
    void equalityAndEvalPlusMatchingAgreeWithPython(@TempDir Path dir) throws Exception {
        List<JsonNode> cases = reference(dir);
        assertTrue(cases.size() > 60, "cases: " + cases.size());
        int checked = 0;
        for (JsonNode c : cases) {
            if (c.has("eq")) {
                PyValue a = PyValue.decode(c.get("a")), b = PyValue.decode(c.get("b"));
                assertEquals(c.get("eq").asBoolean(), a.equals(b), c.toString());
                assertEquals(c.get("eq").asBoolean(), b.equals(a), "symmetric: " + c);
                if (a.equals(b)) assertEquals(a.hashCode(), b.hashCode(), "equal values hash alike: " + c);
            } else {
                boolean m = EvalPlusOracle.matches(c.get("dataset").asText(), c.get("entry").asText(), c.get("inp"),
                        PyValue.decode(c.get("out")), PyValue.decode(c.get("exp")), c.get("atol").asDouble());
                assertEquals(c.get("match").asBoolean(), m, c.toString());
            }
            checked++;
        }
        assertEquals(cases.size(), checked);
    }

    @Test
    void anythingButTheEncodingIsRejected() {
        for (String bad : List.of("{\"object\": 1}", "{\"float\": \"one\"}", "{\"list\": 1}", "{\"set\": [{\"list\": []}]}",
                "{\"bytes\": \"zz\"}", "{\"float\": 1, \"list\": []}", "[1, 2]", "{\"sha256\": \"abc\"}")) {
            assertThrows(PyValue.BadEncoding.class, () -> PyValue.decode(Json.MAPPER.readTree(bad)), bad);
        }
    }
}
