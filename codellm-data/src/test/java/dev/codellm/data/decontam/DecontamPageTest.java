package dev.codellm.data.decontam;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.io.Json;
import dev.codellm.decontam.BenchmarkItem;
import dev.codellm.decontam.DecontamReport;
import dev.codellm.decontam.RecordDecontaminator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html of decontam: removals per benchmark counted per record, and the shared span found in the record's own text. */
class DecontamPageTest {
    @TempDir Path tmp;

    @Test
    void theSharedSpanIsTheLongestCommonRunOfWordsInTheRecordsOwnSpelling() {
        String bench = "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n";
        String text = "Homework: DEF ADD(a,  b):\n    \"\"\"Add two numbers.\"\"\" return a + b - but why?";
        DecontamPage.Example e = DecontamPage.span("text", List.of("x:1"), text, bench);
        assertEquals("DEF ADD(a,  b):\n    \"\"\"Add two numbers.\"\"\" return a + b", e.span());
        assertEquals("Homework: ", e.before());
        assertEquals(" - but why?", e.after());
        assertEquals(10, e.spanWords());
        assertEquals(0, DecontamPage.span("text", List.of("x:1"), "nothing alike", bench).spanWords());
    }

    @Test
    void aRecordMatchingTwoTasksOfOneBenchmarkCountsOnceAndItsSpanIsMarked() throws Exception {
        String removed = Json.MAPPER.createObjectNode().put("id", 7).put("text", "x <b> def add(a, b): return a + b")
                .set(RecordDecontaminator.MATCH_FIELD, Json.MAPPER.createArrayNode().add("he:HumanEval/1").add("he:HumanEval/2")).toString();
        Files.writeString(tmp.resolve("removed.jsonl"), removed + "\n");
        DecontamReport r = new DecontamReport();
        r.records = 2;
        r.removed = 1;
        r.tasks.put("he:HumanEval/1", 1L);
        r.tasks.put("he:HumanEval/2", 1L);
        DecontamPage.write(tmp, "ngram", r, List.of(new BenchmarkItem("he", "HumanEval/1", "prompt", "def add(a, b):\n    return a + b", false)));
        String html = Files.readString(tmp.resolve("report.html"));
        assertTrue(html.contains("<title>he: 1</title>"), "one removed record for benchmark he: " + html);
        assertTrue(html.contains("x &lt;b&gt; <mark>def add(a, b): return a + b</mark>"), html);
    }
}
