package dev.codellm.data.evol;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The failed-evolution filter, case by case (WizardLM's elimination rules as restated in EvolPrompt). */
class EvolPromptTest {
    static final String PARENT = "Write a function that reverses the words of a sentence.";

    @Test
    void eachKindOfFailedEvolutionIsNamed() {
        assertEquals("empty", EvolPrompt.failure(PARENT, "   "));
        assertEquals("unchanged", EvolPrompt.failure(PARENT, "write a function that reverses  the words of a sentence."));
        assertEquals("only punctuation", EvolPrompt.failure(PARENT, "#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n(x)"), "a small model's output");
        assertEquals("copied the request", EvolPrompt.failure(PARENT, "Rewrite the programming task below: <task> ... </task>"));
        assertEquals("refusal", EvolPrompt.failure(PARENT, "Sorry, I cannot make this task harder for you."));
        assertNull(EvolPrompt.failure(PARENT, "Write a function that reverses the words of a sentence in O(n) time without split()."));
        assertEquals("answer only punctuation", EvolPrompt.answerFailure("#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#"));
        assertNull(EvolPrompt.answerFailure("```python\ndef rev(s):\n    return ' '.join(s.split()[::-1])\n```"));
        assertEquals("Add a check.", EvolPrompt.rewritten("**Rewritten Task:** Add a check."));
    }
}
