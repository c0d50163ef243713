package dev.codellm.core.benchmark;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download fallback against a local HTTP server: verified files are cached, corrupt ones refused. */
class BenchmarkFilesTest {
    @TempDir
    Path tmp;
    HttpServer server;
    volatile byte[] served;
    final AtomicInteger hits = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(200, served.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(served);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Shared directory skipped, downloads from the local server into a temp cache. */
    private BenchmarkFiles files(Path dataDir) {
        return new BenchmarkFiles(dataDir, false, tmp.resolve("cache"), b -> "http://127.0.0.1:" + server.getAddress().getPort() + "/" + b.relativePath());
    }

    @Test
    void downloadsVerifiesCachesAndThenReadsFromTheCache() throws IOException {
        BenchmarkSpec he = BenchmarkRegistry.HUMANEVAL;
        served = Files.readAllBytes(SharedData.require("datasets/" + he.relativePath()));
        BenchmarkFiles f = files(null);
        byte[] got = f.read(he);
        assertEquals(he.sha256(), BenchmarkFiles.sha256(got));
        assertTrue(Files.isRegularFile(tmp.resolve("cache").resolve(he.relativePath())));
        assertArrayEquals(got, f.read(he));
        assertEquals(1, hits.get(), "second read comes from the cache");
        BenchmarkFiles.Content c = f.load(he);
        assertTrue(c.pinned());
        assertEquals(164, c.rows().size());
        assertEquals(164, f.texts(he, he.promptFields()).size());
    }

    @Test
    void checksumMismatchIsRefusedAndNothingIsKept() {
        served = "{\"task_id\": \"HumanEval/0\"}\n".getBytes();
        BenchmarkSpec he = BenchmarkRegistry.HUMANEVAL;
        CodellmException e = assertThrows(CodellmException.class, () -> files(null).read(he));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(he.sha256()), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("cache").resolve(he.relativePath())));
    }

    @Test
    void dataDirWithoutTheFileIsNamed() {
        CodellmException e = assertThrows(CodellmException.class, () -> files(tmp).read(BenchmarkRegistry.MBPP_PLUS));
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
    }

    @Test
    void aBenchmarkWithoutAReleaseURLSaysWhereToPutIt() {
        BenchmarkSpec java = BenchmarkRegistry.multiplE("java").orElseThrow();
        CodellmException e = assertThrows(CodellmException.class,
                () -> new BenchmarkFiles(null, false, tmp.resolve("cache"), BenchmarkSpec::url).read(java));
        assertTrue(e.getMessage().contains("no single-file release") && e.getMessage().contains("multipl-e/humaneval-java.jsonl.gz"), e.getMessage());
    }
}
