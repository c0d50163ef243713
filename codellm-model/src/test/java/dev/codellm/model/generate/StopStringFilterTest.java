package dev.codellm.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringFilterTest {
    @Test
    void stopStringSplitAcrossPiecesIsFoundAndNeverEmitted() {
        StopStringFilter f = new StopStringFilter(List.of("\ndef "));
        assertEquals("return x", f.push("return x"));
        assertEquals("", f.push("\n"));      // could be the start of "\ndef "
        assertEquals("", f.push("de"));
        assertFalse(f.stopped());
        assertEquals("", f.push("f foo"));  // completes the stop string
        assertTrue(f.stopped());
        assertEquals("", f.push("more"));
        assertEquals("", f.flush());
    }

    @Test
    void heldBackTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        StopStringFilter f = new StopStringFilter(List.of("\ndef "));
        assertEquals("a", f.push("a\nd"));
        assertEquals("\ndx", f.push("x"));
        assertEquals("", f.push("\n"));
        assertEquals("\n", f.flush());
    }

    @Test
    void earliestOfSeveralStopsWinsAndTextBeforeItIsKept() {
        StopStringFilter f = new StopStringFilter(List.of("END", "```"));
        assertEquals("code", f.push("code``` and END"));
        assertTrue(f.stopped());
    }

    @Test
    void stopInsideOnePieceKeepsThePrefix() {
        StopStringFilter f = new StopStringFilter(List.of("</s>"));
        assertEquals("hello ", f.push("hello </s> world"));
    }

    @Test
    void noStopsPassesEverythingThrough() {
        StopStringFilter f = new StopStringFilter(List.of());
        assertEquals("abc", f.push("abc"));
        assertEquals("", f.flush());
    }

    @Test
    void overlappingPrefixesHoldBackTheLongestCandidate() {
        StopStringFilter f = new StopStringFilter(List.of("aab"));
        assertEquals("x", f.push("xaa"));
        assertEquals("a", f.push("a"));   // "aaa": only the last "aa" can still start "aab"
        assertEquals("", f.push("b"));
        assertTrue(f.stopped());
    }
}
