package dev.codellm.model.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codellm.model.gguf.GgmlType;
import dev.codellm.model.gguf.Quantize;
import dev.codellm.model.llama.NumpyReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our quantizers produce ggml's reference blocks bit for bit: every type llama-quantize writes for
 * our mixes, checked against quant_reference.py (an independent numpy restatement of
 * ggml-quants.c's quantize_row_*_ref) on rows that reach every branch: Gaussian weights at
 * several scales, an all-zero row, a huge outlier, subnormals and values below fp16's range
 * (scales that round to zero), and large finite values.
 */
class QuantizeBitExactTest {
    static final int ROW = 512;

    @TempDir Path dir;

    static float[] rows() {
        SplittableRandom r = new SplittableRandom(15);
        int nRows = 10;
        float[] x = new float[nRows * ROW];
        for (int i = 0; i < ROW; i++) {
            x[i] = (float) (r.nextGaussian() * 0.02);                      // row 0: typical weights
            x[ROW + i] = (float) (r.nextGaussian() * 1.5 + 0.3);            // row 1: offset, wide
            // row 2: all zero
            x[3 * ROW + i] = (float) (r.nextGaussian() * 0.01);             // row 3: one outlier per super-block
            x[4 * ROW + i] = (float) (r.nextGaussian() * 1e-40);            // row 4: subnormals
            x[5 * ROW + i] = (float) (r.nextGaussian() * 1e-7);             // row 5: scales below fp16's range
            x[6 * ROW + i] = (float) (r.nextGaussian() * 1e17);             // row 6: large, x² still finite
            x[7 * ROW + i] = (float) Math.abs(r.nextGaussian() * 0.05);     // row 7: all positive (min > 0)
            x[8 * ROW + i] = -(float) Math.abs(r.nextGaussian() * 0.05);    // row 8: all negative
            x[9 * ROW + i] = (i % 7 == 0) ? 0f : (float) Math.round(r.nextGaussian() * 4) / 8f;  // row 9: exact ties
        }
        for (int b = 0; b < ROW; b += 256) x[3 * ROW + b + 17] = 1e4f;
        x[6 * ROW + 5] = 65504f;
        return x;
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void blocksEqualTheNumpyRestatementOfGgml(GgmlType type) throws Exception {
        float[] x = rows();
        Path in = dir.resolve("rows.f32"), out = dir.resolve("ref.bin");
        ByteBuffer bb = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(x);
        Files.write(in, bb.array());
        Path script = NumpyReference.copyScript(dir, "convert/quant_reference.py");
        NumpyReference.run(300, script.toString(), type.name(), Integer.toString(ROW), in.toString(), out.toString());
        byte[] want = Files.readAllBytes(out);
        byte[] got = Quantize.quantize(type, x);
        assertEquals(want.length, got.length, type + " size");
        for (int row = 0; row < x.length / ROW; row++) {
            int rb = (int) type.rowBytes(ROW);
            for (int blk = 0; blk < rb / type.typeSize(); blk++) {
                int o = row * rb + blk * type.typeSize();
                String w = HexFormat.of().formatHex(want, o, o + type.typeSize());
                String g = HexFormat.of().formatHex(got, o, o + type.typeSize());
                assertEquals(w, g, type + " row " + row + " block " + blk);
            }
        }
    }
}
