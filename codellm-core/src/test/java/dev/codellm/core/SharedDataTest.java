package dev.codellm.core;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class SharedDataTest {
    @Test
    void findsSharedDataFromModuleDirectory() {
        // Surefire runs with the module directory as cwd: the helper must still find ../shared
        // of the project root, where the datasets live.
        assertTrue(Files.isRegularFile(SharedData.require("datasets/humaneval/HumanEval.jsonl.gz")));
    }

    @Test
    void missingFileIsNamedInTheError() {
        CodellmException e = assertThrows(CodellmException.class, () -> SharedData.require("no/such/file.bin"));
        assertTrue(e.getMessage().contains("no/such/file.bin"), e.getMessage());
    }

    @Test
    void samplingParamsRejectOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.GREEDY.withTopP(0));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.GREEDY.withTemperature(-1));
        assertEquals(0.7, SamplingParams.GREEDY.withTemperature(0.7).temperature());
    }
}
