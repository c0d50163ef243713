package dev.codellm.data.ossinstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OssInstructPromptTest {
    @Test
    void promptCarriesTheSeedAndTheTwoSections() {
        String p = OssInstructPrompt.user(new Seed("seed-000001", "python", "x.py", 3, 4, "x = compute(1)\n"));
        assertTrue(p.contains("```\nx = compute(1)\n```"));
        assertTrue(p.contains("[Problem Description]") && p.contains("[Solution]"));
    }

    @Test
    void parsesCommonAnswerShapes() {
        var a = OssInstructPrompt.parse("[Problem Description]\nWrite add(a, b).\n\n[Solution]\n```python\ndef add(a, b):\n    return a + b\n```\n");
        assertEquals("Write add(a, b).", a.problem());
        assertEquals("def add(a, b):\n    return a + b\n", a.code());
        assertEquals("python", a.codeLang());
        var b = OssInstructPrompt.parse("Sure!\n\n## **[Problem Description]**\nDo X.\n\n**[Solution]:**\nJust text, no code.");
        assertEquals("Do X.", b.problem());
        assertEquals(null, b.code());
        assertEquals("Just text, no code.", b.solution());
    }

    @Test
    void missingSectionsAreNamed() {
        assertEquals("missing [Problem Description]",
                assertThrows(IllegalArgumentException.class, () -> OssInstructPrompt.parse("[Solution] x")).getMessage());
        assertEquals("missing [Solution]",
                assertThrows(IllegalArgumentException.class, () -> OssInstructPrompt.parse("[Problem Description] x")).getMessage());
        assertEquals("empty solution",
                assertThrows(IllegalArgumentException.class, () -> OssInstructPrompt.parse("[Problem Description] x [Solution]  ")).getMessage());
    }
}
