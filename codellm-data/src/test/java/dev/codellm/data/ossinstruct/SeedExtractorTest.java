package dev.codellm.data.ossinstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seeds from real code: the Debian Python 3.11 standard library and the JDK's own sources. */
class SeedExtractorTest {
    @TempDir static Path tree;

    @BeforeAll
    static void realCorpus() throws IOException {
        // 80 Python stdlib modules...
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/python3.11"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".py")).sorted().limit(80).toList()) {
                Files.copy(p, tree.resolve("py").resolve(p.getFileName().toString()), ensureDir(tree.resolve("py")));
            }
        }
        // ...and 40 java.util sources from the JDK that runs the tests (every Temurin ships lib/src.zip).
        Path srcZip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        try (ZipFile z = new ZipFile(srcZip.toFile())) {
            List<? extends ZipEntry> entries = z.stream()
                    .filter(e -> e.getName().startsWith("java.base/java/util/") && e.getName().endsWith(".java")
                            && e.getName().indexOf('/', "java.base/java/util/".length()) < 0)
                    .sorted((a, b) -> a.getName().compareTo(b.getName())).limit(40).toList();
            Path dir = Files.createDirectories(tree.resolve("jdk"));
            for (ZipEntry e : entries) {
                try (InputStream in = z.getInputStream(e)) {
                    Files.copy(in, dir.resolve(e.getName().substring(e.getName().lastIndexOf('/') + 1)));
                }
            }
        }
        Files.write(tree.resolve("py/blob.py"), new byte[] {0, 1, 2, 3});
    }

    private static java.nio.file.CopyOption ensureDir(Path d) throws IOException {
        Files.createDirectories(d);
        return java.nio.file.StandardCopyOption.REPLACE_EXISTING;
    }

    @Test
    void reproducibleBalancedRealWindows() throws IOException {
        List<Seed> a = SeedExtractor.magicoder().extract(tree, 60, 7);
        List<Seed> b = SeedExtractor.magicoder().extract(tree, 60, 7);
        List<Seed> c = SeedExtractor.magicoder().extract(tree, 60, 8);
        assertEquals(a, b, "same corpus + seed = same seeds");
        assertNotEquals(a, c);
        assertEquals(60, a.size());
        Map<String, Integer> byLang = new TreeMap<>();
        for (Seed s : a) byLang.merge(s.lang(), 1, Integer::sum);
        assertEquals(Map.of("java", 30, "python", 30), byLang, "round-robin across languages");
        Set<String> codes = new HashSet<>();
        for (Seed s : a) {
            int n = s.endLine() - s.startLine() + 1;
            assertTrue(n >= 1 && n <= 15, "window of 1-15 lines: " + n);
            assertTrue(codes.add(s.code()), "no duplicate snippets");
            assertFalse(s.code().toLowerCase().contains("copyright"), s.code());
            assertFalse(s.code().toLowerCase().contains("license"), s.code());
            // The snippet really is those lines of that file (blank edge lines trimmed).
            List<String> lines = Files.readAllLines(tree.resolve(s.path()));
            String window = String.join("\n", lines.subList(s.startLine() - 1, s.endLine()));
            assertTrue(window.contains(s.code().strip()), s.path() + ":" + s.startLine());
            assertEquals(s.path().startsWith("jdk/") ? "java" : "python", s.lang());
        }
    }

    @Test
    void jsonlCorpusWithLanguageFromPath() throws IOException {
        Path jsonl = tree.getParent().resolve("corpus-" + System.nanoTime() + ".jsonl");
        String py = Files.readString(Path.of("/usr/lib/python3.11/textwrap.py"));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Files.writeString(jsonl, json.writeValueAsString(Map.of("path", "a/textwrap.py", "content", py)) + "\n{broken\n");
        SeedExtractor ex = SeedExtractor.magicoder();
        List<Seed> seeds = ex.extract(jsonl, 5, 1);
        assertEquals(5, seeds.size());
        assertTrue(seeds.stream().allMatch(s -> s.lang().equals("python") && py.contains(s.code().strip())));
        assertEquals(1, ex.skipped.get("malformed JSON line"));
        Files.delete(jsonl);
    }

    /** Parquet written by Spark (resources/parquet) gives the same seeds as its jsonl twin: the same records. */
    @Test
    void parquetCorpusGivesTheSeedsOfItsJsonlTwin() throws Exception {
        Path parquet = Path.of(getClass().getResource("/parquet/rows.parquet").toURI());
        Path twin = Path.of(getClass().getResource("/parquet/twin.jsonl").toURI());
        SeedExtractor fromParquet = SeedExtractor.magicoder();
        List<Seed> a = fromParquet.extract(parquet, 8, 3);
        SeedExtractor fromJsonl = SeedExtractor.magicoder();
        List<Seed> b = fromJsonl.extract(twin, 8, 3);
        assertEquals(b, a);
        assertEquals(8, a.size());
        assertTrue(a.stream().allMatch(s -> s.lang().equals("python") && s.path().startsWith("lib/")));
        // Row 3 has a null path and a null text column: skipped with a reason, as in jsonl.
        assertEquals(1, fromParquet.skipped.get("record without a known language or text"));
        assertEquals(fromJsonl.skipped, fromParquet.skipped);
    }
}
