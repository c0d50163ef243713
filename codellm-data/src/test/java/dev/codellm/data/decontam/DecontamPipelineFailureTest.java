package dev.codellm.data.decontam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.codellm.decontam.DecontamConfig;
import dev.codellm.decontam.RecordDecontaminator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run fails when its reader does: with the reader's error, promptly, leaving nothing running. */
class DecontamPipelineFailureTest {
    @TempDir Path tmp;

    private static RecordDecontaminator decontaminator() {
        return DecontamConfig.defaults("ngram").build(dev.codellm.core.benchmark.BenchmarkFiles.standard());
    }

    /** A source that hands out {@code good} chunks of one jsonl line each, then throws {@code failure}. */
    private static DecontamPipeline.SourceOpener failingAfter(int good, Throwable failure) {
        byte[] line = "{\"content\": \"def add(a, b):\\n    return a + b\\n\"}\n".getBytes(StandardCharsets.UTF_8);
        return (kind, input) -> new ChunkSource() {
            int handed;

            @Override
            public Chunk next() {
                if (handed++ < good) return new Chunk(line, line.length, List.of(), null);
                if (failure instanceof RuntimeException re) throw re;
                throw (Error) failure;
            }

            @Override
            public void close() {}
        };
    }

    private static long readersAlive() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("decontam-reader") && t.isAlive()).count();
    }

    /** Regression: the reader caught only Exception, so an Error killed it silently and the writer waited forever. */
    @Test
    void anErrorInTheReaderFailsTheRunWithThatError() throws Exception {
        Path in = Files.writeString(tmp.resolve("in.jsonl"), "{}\n");
        NoClassDefFoundError missing = new NoClassDefFoundError("org/apache/parquet/hadoop/ParquetFileReader");
        DecontamPipeline p = new DecontamPipeline(decontaminator(), 2, 1 << 20, null, failingAfter(3, missing));
        NoClassDefFoundError thrown = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(NoClassDefFoundError.class, () -> p.run(in, tmp.resolve("out"))));
        assertEquals(missing.getMessage(), thrown.getMessage());
        assertFalse(Files.exists(tmp.resolve("out/clean.jsonl")), "a failed run leaves no output that looks complete");
        assertEquals(0, readersAlive(), "the reader thread has ended");
    }

    @Test
    void anExceptionInTheReaderStillFailsTheRunWithItsMessage() throws Exception {
        Path in = Files.writeString(tmp.resolve("in.jsonl"), "{}\n");
        DecontamPipeline p = new DecontamPipeline(decontaminator(), 2, 1 << 20, null,
                failingAfter(1, new dev.codellm.core.CodellmException("bad gzip header in in.jsonl")));
        var e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(dev.codellm.core.CodellmException.class, () -> p.run(in, tmp.resolve("out"))));
        assertEquals("bad gzip header in in.jsonl", e.getMessage());
        assertEquals(0, readersAlive());
    }
}
