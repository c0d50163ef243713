package dev.codellm.eval.keyretrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.FinishReason;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import dev.codellm.core.io.Json;
import dev.codellm.eval.EvalDatasets;
import dev.codellm.eval.run.EvalOptions;
import dev.codellm.eval.run.RunComparison;
import dev.codellm.eval.run.SampleSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key-retrieval generator, its scoring through the eval driver, resume, the context limit and compare. */
class KeyRetrievalTest {
    static final Pattern KEY = Pattern.compile("def (\\w+)\\(\\) -> int:\\n    \"\"\"[^\\n]*\"\"\"\\n    return (\\d+)\\n");

    @TempDir
    Path dir;

    @Test
    void generatorIsDeterministicFromTheSeed() {
        KeyRetrievalTask a = KeyRetrievalGenerator.task(7, 4096, 0.5, 1), b = KeyRetrievalGenerator.task(7, 4096, 0.5, 1);
        assertEquals(a, b);
        assertNotEquals(a.prompt(), KeyRetrievalGenerator.task(8, 4096, 0.5, 1).prompt());
        assertNotEquals(a.prompt(), KeyRetrievalGenerator.task(7, 4096, 0.5, 2).prompt());
        double chars = 4096 * KeyRetrievalGenerator.CHARS_PER_TOKEN;
        assertTrue(Math.abs(a.prompt().length() - chars) < 0.03 * chars, "length " + a.prompt().length() + " for " + chars + " chars");
    }

    @Test
    void theKeyIsTheOnlyConstantFunctionAndSitsWhereAsked() {
        double last = -1;
        for (double p : KeyRetrievalGrid.POSITIONS) {
            KeyRetrievalTask t = KeyRetrievalGenerator.task(3, 2048, p, 0);
            Matcher m = KEY.matcher(t.prompt());
            assertTrue(m.find(), "the key function is there");
            assertEquals(t.function(), m.group(1));
            assertEquals(t.answer(), Integer.parseInt(m.group(2)));
            assertTrue(!m.find(), "one key function only");
            assertEquals(1, Pattern.compile("def \\w+\\(\\)").matcher(t.prompt()).results().count(), "no other zero-argument function");
            assertTrue(t.prompt().endsWith("\n\nassert " + t.function() + "() == "));
            double at = t.prompt().indexOf("def " + t.function()) / (double) t.prompt().length();
            assertTrue(Math.abs(at - p) < 0.05, "key at " + at + " for position " + p);
            assertTrue(at > last);
            last = at;
        }
    }

    @Test
    void gridAndAnswerParsing() {
        KeyRetrievalGrid g = KeyRetrievalGrid.parse("key-retrieval/1k,16k,100k:3");
        assertEquals(List.of(1024, 16384, 100000), g.lengths());
        assertEquals(3, g.filesPerCell());
        assertEquals(List.of(4096, 8192, 16384), KeyRetrievalGrid.parse("key-retrieval").lengths());
        assertEquals(45, g.tasks(0).size());
        assertThrows(CodellmException.class, () -> KeyRetrievalGrid.parse("key-retrieval/4q"));
        assertThrows(CodellmException.class, () -> KeyRetrievalGrid.parse("key-retrieval/4k:0"));
        assertEquals(4213, KeyRetrievalGenerator.parseAnswer(" 4213\n"));
        assertEquals(4213, KeyRetrievalGenerator.parseAnswer("4213  # the key"));
        assertEquals(-5, KeyRetrievalGenerator.parseAnswer("-5"));
        assertNull(KeyRetrievalGenerator.parseAnswer("(4213)"));
        assertNull(KeyRetrievalGenerator.parseAnswer(""));
    }

    @Test
    void canonicalAnswersScoreEverything() throws Exception {
        Path out = dir.resolve("canonical");
        EvalDatasets.run(opts("key-retrieval/1k,2k:2", out, false), SampleSource.canonical());
        JsonNode j = Json.read(out.resolve(KeyRetrievalScore.FILE));
        assertEquals(1.0, j.path("accuracy").asDouble());
        assertEquals(10, j.path("cells").size());
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));
    }

    /** Reads the key off the prompt, but only where {@code sees} says it may (else answers 0). */
    static final class Reader implements Generator {
        final Predicate<String> sees;
        final AtomicInteger calls = new AtomicInteger();
        volatile int failAfter = Integer.MAX_VALUE;
        volatile int contextChars = Integer.MAX_VALUE;

        Reader(Predicate<String> sees) { this.sees = sees; }

        @Override
        public ModelInfo info() { return new ModelInfo("reader", 1 << 20, false, null); }

        @Override
        public Completion complete(CompletionRequest r, TokenSink sink) {
            if (calls.incrementAndGet() > failAfter) throw new CodellmException("endpoint http://x/v1/completions failed: HTTP 503");
            if (r.prompt().length() > contextChars) throw new CodellmException("prompt is 9999 tokens but the context holds 1024 (use a larger --ctx)");
            Matcher m = KEY.matcher(r.prompt());
            assertTrue(m.find());
            String key = r.prompt().substring(0, m.start());
            return new Completion(sees.test(key) ? m.group(2) : "0", FinishReason.STOP, new Usage(1, 1));
        }

        @Override
        public Completion chat(ChatRequest r, TokenSink sink) { throw new UnsupportedOperationException(); }
    }

    @Test
    void accuracyByCellResumeAndTheContextLimit() throws Exception {
        Path out = dir.resolve("reader");
        // sees the key only in the first half of the file: positions 0, 0.25, 0.5 right, 0.75 and 1 wrong
        Reader model = new Reader(before -> before.length() < KeyRetrievalGenerator.CHARS_PER_TOKEN * 1024 * 0.6);
        model.failAfter = 4;
        assertThrows(CodellmException.class, () -> EvalDatasets.run(opts("key-retrieval/1k:2", out, false), SampleSource.model(model)));
        model.failAfter = Integer.MAX_VALUE;
        model.calls.set(0);
        EvalDatasets.run(opts("key-retrieval/1k:2", out, true), SampleSource.model(model));
        assertTrue(model.calls.get() <= 10 - 4 + 1, "resume regenerates only what was not finished: " + model.calls.get() + " calls");
        JsonNode j = Json.read(out.resolve(KeyRetrievalScore.FILE));
        assertEquals(0.6, j.path("accuracy").asDouble(), 1e-9);
        for (JsonNode c : j.path("cells")) assertEquals(c.path("position").asDouble() <= 0.5 ? 1.0 : 0.0, c.path("accuracy").asDouble());

        Path small = dir.resolve("small-context");
        Reader all = new Reader(before -> true);
        all.contextChars = (int) (1500 * KeyRetrievalGenerator.CHARS_PER_TOKEN);
        EvalDatasets.run(opts("key-retrieval/1k,2k:1", small, false), SampleSource.model(all));
        JsonNode s = Json.read(small.resolve(KeyRetrievalScore.FILE));
        for (JsonNode c : s.path("cells")) assertEquals(c.path("length").asInt() == 1024 ? 1.0 : 0.0, c.path("accuracy").asDouble());
        assertTrue(Files.readString(small.resolve("samples.jsonl")).contains("not run: prompt is 9999 tokens"));

        RunComparison cmp = EvalDatasets.compare(List.of(out, small));
        assertTrue(cmp.text().contains("60.0%") && cmp.text().contains("50.0%"), cmp.text());
        assertEquals(2, cmp.json().path("runs").size());
    }

    static EvalOptions opts(String dataset, Path out, boolean resume) {
        EvalOptions d = EvalOptions.defaults(dataset, out);
        return new EvalOptions(d.dataset(), out, 1, 0, 512, null, false, 1, 1, 0, resume, 11L, null, d.cacheDir(), 1.0);
    }
}
