package dev.codellm.eval.data;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download fallback against a local HTTP server: verified files are cached, corrupt ones refused. */
class DatasetFilesTest {
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
    private DatasetFiles files(Path dataDir) {
        return new DatasetFiles(dataDir, false, tmp.resolve("cache"), id -> "http://127.0.0.1:" + server.getAddress().getPort() + "/" + id.relativePath());
    }

    @Test
    void downloadsVerifiesCachesAndThenReadsFromTheCache() throws IOException {
        served = Files.readAllBytes(SharedData.require("datasets/" + DatasetId.HUMANEVAL.relativePath()));
        DatasetFiles f = files(null);
        byte[] got = f.read(DatasetId.HUMANEVAL);
        assertEquals(DatasetId.HUMANEVAL.sha256(), DatasetFiles.sha256(got));
        assertTrue(Files.isRegularFile(tmp.resolve("cache").resolve(DatasetId.HUMANEVAL.relativePath())));
        assertArrayEquals(got, f.read(DatasetId.HUMANEVAL));
        assertEquals(1, hits.get(), "second read comes from the cache");
    }

    @Test
    void checksumMismatchIsRefusedAndNothingIsKept() {
        served = "{\"task_id\": \"HumanEval/0\"}\n".getBytes();
        CodellmException e = assertThrows(CodellmException.class, () -> files(null).read(DatasetId.HUMANEVAL));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(DatasetId.HUMANEVAL.sha256()), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("cache").resolve(DatasetId.HUMANEVAL.relativePath())));
    }

    @Test
    void dataDirWithoutTheFileIsNamed() {
        CodellmException e = assertThrows(CodellmException.class, () -> files(tmp).read(DatasetId.MBPP_PLUS));
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
    }

    @Test
    void unknownDatasetNamesTheChoices() {
        CodellmException e = assertThrows(CodellmException.class, () -> DatasetId.parse("apps"));
        assertTrue(e.getMessage().contains("humaneval+"), e.getMessage());
    }

    @Test
    void mbppUsesTheTestSplitAndFindsEntryPoints() {
        Dataset d = Dataset.load(DatasetId.MBPP, DatasetFiles.standard(null));
        assertEquals(500, d.tasks().size());
        assertEquals("11", d.tasks().get(0).taskId());
        assertEquals("510", d.tasks().get(499).taskId());
        assertEquals("remove_Occ", d.tasks().get(0).entryPoint());
        assertEquals(164, Dataset.load(DatasetId.HUMANEVAL_PLUS, DatasetFiles.standard(null)).tasks().size());
        assertEquals(378, Dataset.load(DatasetId.MBPP_PLUS, DatasetFiles.standard(null)).tasks().size());
    }
}
