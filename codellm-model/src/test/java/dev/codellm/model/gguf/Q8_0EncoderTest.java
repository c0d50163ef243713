package dev.codellm.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vectorized Q8_0 encoder writes the scalar reference's bytes (which QuantizeBitExactTest holds
 * to the numpy restatement of ggml's quantize_row_q8_0_ref) on blocks built to reach every branch:
 * exact halves after scaling (amax 127 and 63.5 make id 1 and 2), values a hair below a half
 * (0.49999997, which a "+0.5 then truncate" in float rounds the wrong way), zeros, subnormals,
 * scales near float's limits, and a large sample of Gaussian weights.
 */
class Q8_0EncoderTest {
    private static void assertSame(float[] x) {
        byte[] want = Quantize.q8_0Scalar(x, 0, x.length);
        byte[] got = Quantize.quantize(GgmlType.Q8_0, x);
        assertEquals(want.length, got.length);
        for (int b = 0; b < want.length; b += 34) {
            String w = HexFormat.of().formatHex(want, b, b + 34), g = HexFormat.of().formatHex(got, b, b + 34);
            assertEquals(w, g, "block " + b / 34);
        }
    }

    @Test
    void gaussianWeightsAtManyScales() {
        SplittableRandom r = new SplittableRandom(8);
        float[] x = new float[1 << 18];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, (i >> 5) % 40 - 20));
        assertSame(x);
    }

    @Test
    void exactHalvesRoundAwayFromZero() {
        SplittableRandom r = new SplittableRandom(9);
        float[] x = new float[64 * 32];
        for (int b = 0; b < 64; b++) {
            float amax = b % 2 == 0 ? 127f : 63.5f;  // id = 1 or 2: x·id lands exactly on halves
            float step = b % 2 == 0 ? 0.5f : 0.25f;
            for (int j = 0; j < 32; j++) x[b * 32 + j] = r.nextInt(-254, 255) * step;
            x[b * 32 + r.nextInt(32)] = (b % 4 < 2) ? amax : -amax;
        }
        assertSame(x);
        // the halves really are there: 2.5 -> 3 and -2.5 -> -3 when id = 1
        float[] y = new float[32];
        y[0] = 127f;
        y[1] = 2.5f;
        y[2] = -2.5f;
        y[3] = 0.49999997f;
        y[4] = -0.49999997f;
        y[5] = 0.5f;
        byte[] q = Quantize.quantize(GgmlType.Q8_0, y);
        assertArrayEquals(new byte[] {127, 3, -3, 0, 0, 1}, java.util.Arrays.copyOfRange(q, 2, 8));
    }

    @Test
    void zerosSubnormalsAndExtremes() {
        SplittableRandom r = new SplittableRandom(10);
        float[] x = new float[32 * 8];
        // block 0: zeros
        for (int j = 0; j < 32; j++) x[32 + j] = (float) (r.nextGaussian() * 1e-40);      // subnormal weights
        for (int j = 0; j < 32; j++) x[64 + j] = (float) (r.nextGaussian() * 1e-31);      // tiny scale, 1/d finite
        for (int j = 0; j < 32; j++) x[96 + j] = (float) (r.nextGaussian() * 1e37);       // near float's max
        x[128] = Float.MAX_VALUE;
        x[129] = -Float.MAX_VALUE;
        x[160] = Float.MIN_VALUE;                                                          // one subnormal, rest zero
        for (int j = 0; j < 32; j++) x[192 + j] = 0x1p-100f * (j - 16);                   // at the scalar/vector boundary
        for (int j = 0; j < 32; j++) x[224 + j] = 0x1p-101f * (j - 16);
        assertSame(x);
    }

    @Test
    void offsetsIntoTheSourceArray() {
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[32 * 10 + 7];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        assertArrayEquals(Quantize.q8_0Scalar(x, 7, 320), Quantize.quantize(GgmlType.Q8_0, x, 7, 320));
    }
}
