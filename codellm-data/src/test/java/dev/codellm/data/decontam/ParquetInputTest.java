package dev.codellm.data.decontam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.CodellmException;
import dev.codellm.decontam.DecontamConfig;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parquet written by Spark (an independent writer, see resources/parquet/README.md) is read as the
 * same records Spark itself renders as JSON, and decontaminated exactly like that jsonl twin.
 */
class ParquetInputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(ParquetInputTest.class.getResource("/parquet/" + name).toURI());
    }

    DecontamPipeline.Summary run(Path input, Path out) throws IOException {
        return new DecontamPipeline(DecontamConfig.defaults("openai50").build(dev.codellm.core.benchmark.BenchmarkFiles.standard()), 2, 1 << 26, null).run(input, out);
    }

    static List<JsonNode> records(Path jsonl) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(jsonl)) out.add(JSON.readTree(l));
        return out;
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Snappy (Spark's default), ZSTD and GZIP pages: the same rows. */
    @ParameterizedTest
    @ValueSource(strings = {"rows.parquet", "rows-zstd.parquet", "rows-gzip.parquet"})
    void parquetRowsAreTheRecordsOfTheirJsonlTwin(String file) throws Exception {
        Path fromParquet = tmp.resolve("pq");
        Path fromJsonl = tmp.resolve("js");
        DecontamPipeline.Summary s = run(fixture(file), fromParquet);
        run(fixture("twin.jsonl"), fromJsonl);
        assertEquals(12, s.report().records);
        assertEquals(1, s.report().removed, "row 5 carries HumanEval/40");
        for (String f : List.of("clean.jsonl", "removed.jsonl")) {
            List<JsonNode> a = records(fromParquet.resolve(f));
            List<JsonNode> b = records(fromJsonl.resolve(f));
            assertEquals(b, a, f);
            for (int i = 0; i < a.size(); i++) assertEquals(fieldNames(b.get(i)), fieldNames(a.get(i)), "column order, " + f + " row " + i);
        }
        JsonNode removed = records(fromParquet.resolve("removed.jsonl")).get(0);
        assertEquals(5, removed.get("id").asInt());
        assertEquals("humaneval:HumanEval/40", removed.get("decontam_matches").get(0).asText());
        JsonNode report = JSON.readTree(fromParquet.resolve("report.json").toFile());
        assertEquals("parquet", report.get("input_kind").asText());
    }

    @Test
    void aDatasetDirectoryReadsItsPartFilesInNameOrder() throws Exception {
        Path ds = Files.createDirectories(tmp.resolve("data.parquet"));
        Files.copy(fixture("rows.parquet"), ds.resolve("part-00000.snappy.parquet"));
        Files.copy(fixture("rows.parquet"), ds.resolve("part-00001.snappy.parquet"));
        Files.writeString(ds.resolve("_SUCCESS"), "");
        DecontamPipeline.Summary s = run(ds, tmp.resolve("out"));
        assertEquals(24, s.report().records);
        List<JsonNode> clean = records(tmp.resolve("out/clean.jsonl"));
        assertEquals(clean.subList(0, 11), clean.subList(11, 22));
    }

    @Test
    void corruptOrTruncatedParquetIsAnErrorNamingTheFile() throws Exception {
        byte[] good = Files.readAllBytes(fixture("rows.parquet"));
        Path truncated = tmp.resolve("truncated.parquet");
        Files.write(truncated, Arrays.copyOf(good, good.length / 2));
        Path garbage = tmp.resolve("garbage.parquet");
        byte[] noise = new byte[5000];
        new Random(1).nextBytes(noise);
        Files.write(garbage, noise);
        // Valid footer, damaged pages: every data byte after the magic number flipped.
        Path damaged = tmp.resolve("damaged.parquet");
        byte[] d = good.clone();
        for (int i = 4; i < d.length / 2; i++) d[i] ^= (byte) 0x5a;
        Files.write(damaged, d);
        for (Path bad : List.of(truncated, garbage, damaged)) {
            CodellmException e = assertThrows(CodellmException.class, () -> run(bad, tmp.resolve("o-" + bad.getFileName())));
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
            assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
            assertTrue(!e.getMessage().contains("@"), "no object ids: " + e.getMessage());
        }
        Path empty = Files.createDirectories(tmp.resolve("empty.parquet"));
        CodellmException e = assertThrows(CodellmException.class, () -> run(empty, tmp.resolve("o-empty")));
        assertTrue(e.getMessage().contains("no .parquet files"), e.getMessage());
    }
}
