package dev.codellm.data.ossinstruct;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.CodellmException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that Python code parses, with {@code ast.parse} in one {@code python3} subprocess for a
 * whole batch. Nothing is executed: parsing only.
 */
public final class PythonSyntaxChecker {
    private static final String SCRIPT = String.join("\n",
            "import ast, json, sys",
            "for line in sys.stdin:",
            "    try:",
            "        ast.parse(json.loads(line))",
            "        print('ok')",
            "    except Exception as e:",
            "        print(('error: %s: %s' % (type(e).__name__, e)).replace('\\n', ' ')[:200])",
            "    sys.stdout.flush()");
    private static final ObjectMapper JSON = dev.codellm.core.io.Json.MAPPER;

    /** For each code string: null when it parses, else the error. */
    public static List<String> check(List<String> codes) {
        List<String> out = new ArrayList<>();
        if (codes.isEmpty()) return out;
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", SCRIPT).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new CodellmException("python3 is needed to check Python solutions: " + e.getMessage(), e);
        }
        Thread feeder = new Thread(() -> {
            try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8))) {
                for (String c : codes) {
                    w.write(JSON.writeValueAsString(c));
                    w.write('\n');
                }
            } catch (IOException ignored) {
                // the reader reports the missing answers
            }
        }, "python-ast-feeder");
        feeder.start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) out.add(line.equals("ok") ? null : line);
            feeder.join();
            p.waitFor();
        } catch (IOException | InterruptedException e) {
            p.destroyForcibly();
            throw new CodellmException("python3 syntax check failed: " + e.getMessage(), e);
        }
        if (out.size() != codes.size()) throw new CodellmException("python3 syntax check answered " + out.size() + " of " + codes.size());
        return out;
    }
}
