package dev.codellm.core.benchmark;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BenchmarkRegistryTest {
    @Test
    void everySpellingNamesOneBenchmark() {
        assertSame(BenchmarkRegistry.HUMANEVAL_PLUS, BenchmarkRegistry.get("humaneval+"));
        assertSame(BenchmarkRegistry.HUMANEVAL_PLUS, BenchmarkRegistry.get("HumanEvalPlus"));
        assertSame(BenchmarkRegistry.MBPP_PLUS, BenchmarkRegistry.get(" mbppplus "));
        assertSame(BenchmarkRegistry.MBPP_PLUS, BenchmarkRegistry.get("mbpp+"));
        assertEquals("multipl-e/java", BenchmarkRegistry.multiplE("java").orElseThrow().name());
        assertEquals(BenchmarkRegistry.multiplE("cpp"), BenchmarkRegistry.find("humaneval-cpp"));
        Set<String> seen = new HashSet<>();
        for (BenchmarkSpec b : BenchmarkRegistry.all()) {
            for (String n : concat(b)) assertTrue(seen.add(n.toLowerCase()), "spelling " + n + " names two benchmarks");
        }
        CodellmException e = assertThrows(CodellmException.class, () -> BenchmarkRegistry.get("apps"));
        assertTrue(e.getMessage().startsWith("unknown benchmark 'apps' (known: humaneval, humaneval+, mbpp, mbpp+, multipl-e/<cpp|java|"), e.getMessage());
        assertEquals(List.of("humaneval", "humaneval+", "mbpp", "mbpp+"), BenchmarkRegistry.decontamDefaults().stream().map(BenchmarkSpec::name).toList());
    }

    private static List<String> concat(BenchmarkSpec b) {
        List<String> all = new java.util.ArrayList<>(b.aliases());
        all.add(b.name());
        if (!b.slug().equalsIgnoreCase(b.name())) all.add(b.slug());
        return all;
    }

    /** The checksums are those SOURCE.md records for the shared files (read here independently of the registry). */
    @Test
    void multiplEChecksumsAreTheOnesItsSourceNoteRecords() throws Exception {
        String note = Files.readString(SharedData.require("datasets/multipl-e/SOURCE.md"));
        Matcher m = Pattern.compile("\\| humaneval-(\\w+) \\| \\d+ \\| [\\d,]+ \\| `([0-9a-f]{64})`").matcher(note);
        int rows = 0;
        while (m.find()) {
            assertEquals(m.group(2), BenchmarkRegistry.multiplE(m.group(1)).orElseThrow().sha256(), m.group(1));
            rows++;
        }
        assertEquals(9, rows);
    }

    /** And each shared file's content hashes to its registry checksum. */
    @Test
    void sharedFilesMatchTheirChecksums() {
        BenchmarkFiles files = BenchmarkFiles.standard();
        for (BenchmarkSpec b : BenchmarkRegistry.all()) {
            assertEquals(b.sha256(), BenchmarkFiles.sha256(files.read(b)), b.name());
        }
    }
}
