package dev.codellm.data.decontam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkProcessorTest {
    /** The word-at-a-time newline search agrees with a byte loop, at every start, on bytes near '\n'. */
    @Test
    void newlineSearchMatchesAByteLoop() {
        Random rnd = new Random(3);
        byte[] pool = {'\n', '\n' + 1, '\n' - 1, (byte) 0x8A, (byte) 0x0B, 'a', 0, (byte) 0xFF};
        for (int trial = 0; trial < 2000; trial++) {
            byte[] b = new byte[rnd.nextInt(40)];
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextInt(6) == 0 ? pool[rnd.nextInt(pool.length)] : (byte) 'x';
            for (int from = 0; from <= b.length; from++) {
                int end = from + rnd.nextInt(b.length - from + 1);
                int expect = from;
                while (expect < end && b[expect] != '\n') expect++;
                assertEquals(expect, ChunkProcessor.indexOfNewline(b, from, end));
            }
        }
    }
}
