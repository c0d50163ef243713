package dev.codellm.eval.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.CodellmException;
import org.junit.jupiter.api.Test;

/** Parsing the four Python benchmarks; their files are found by core's BenchmarkFiles (tested there). */
class DatasetTest {
    @Test
    void unknownDatasetNamesTheChoices() {
        CodellmException e = assertThrows(CodellmException.class, () -> DatasetId.parse("apps"));
        assertTrue(e.getMessage().contains("humaneval+"), e.getMessage());
    }

    @Test
    void everyRegistryAliasNamesTheDataset() {
        assertEquals(DatasetId.HUMANEVAL_PLUS, DatasetId.parse("humanevalplus"));
        assertEquals(DatasetId.HUMANEVAL_PLUS, DatasetId.parse("HumanEval+"));
        assertEquals(DatasetId.MBPP_PLUS, DatasetId.parse("mbppplus"));
        assertTrue(DatasetId.find("multipl-e/java").isEmpty(), "a benchmark, but not one of the Python four");
    }

    @Test
    void mbppUsesTheTestSplitAndFindsEntryPoints() {
        Dataset d = dev.codellm.eval.TestDatasets.get(DatasetId.MBPP);
        assertEquals(500, d.tasks().size());
        assertEquals("11", d.tasks().get(0).taskId());
        assertEquals("510", d.tasks().get(499).taskId());
        assertEquals("remove_Occ", d.tasks().get(0).entryPoint());
        assertEquals(164, dev.codellm.eval.TestDatasets.get(DatasetId.HUMANEVAL_PLUS).tasks().size());
        assertEquals(378, dev.codellm.eval.TestDatasets.get(DatasetId.MBPP_PLUS).tasks().size());
    }
}
