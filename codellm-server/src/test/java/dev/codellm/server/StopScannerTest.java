package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopScannerTest {
    @Test
    void stopStringSplitAcrossPiecesIsFoundAndExcluded() {
        StopScanner s = new StopScanner(List.of("\n\n", "END"));
        assertEquals("abc", s.push("abc"));
        assertEquals("x", s.push("xE"));   // "E" may start "END": held back
        assertEquals("", s.push("N"));
        assertEquals("", s.push("D tail"));
        assertTrue(s.stopped());
        assertEquals("", s.push("more"));
    }

    @Test
    void heldBackTextIsReleasedWhenItCannotBeAStop() {
        StopScanner s = new StopScanner(List.of("END"));
        assertEquals("a", s.push("aEN"));
        assertEquals("ENx", s.push("x"));
        assertFalse(s.stopped());
        assertEquals("", s.push("EN"));
        assertEquals("EN", s.flush());
    }

    @Test
    void earliestStopWins() {
        StopScanner s = new StopScanner(List.of("cd", "b"));
        assertEquals("a", s.push("abcd"));
        assertTrue(s.stopped());
    }

    @Test
    void noStopsPassesEverythingThrough() {
        StopScanner s = new StopScanner(List.of());
        assertEquals("abc", s.push("abc"));
        assertEquals("", s.flush());
    }
}
