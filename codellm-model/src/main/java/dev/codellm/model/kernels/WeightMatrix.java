package dev.codellm.model.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A rows × cols weight matrix in one of the {@link WeightFormat}s, read in place from a mapped
 * file. ggml layout: each of the {@code rows} output rows is {@code cols} contiguous weights.
 */
public final class WeightMatrix {
    /** Rows decoded together in batched mode (one unit): their floats stay in cache while tokens stream by. */
    private static final int ROW_TILE = NativeKernels.PACK_ROWS;  // = UNIT_ROWS

    private final String name;
    private final MemorySegment data;
    private final WeightFormat format;
    private final int rows;
    private final int cols;
    private final long rowBytes;

    public WeightMatrix(String name, MemorySegment data, WeightFormat format, int rows, int cols) {
        if (cols % format.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": row length " + cols + " is not a multiple of the "
                    + format.name() + " block size " + format.blockSize());
        }
        this.name = name;
        this.data = data;
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = format.rowBytes(cols);
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes of data, need " + rowBytes * rows);
        }
    }

    public String name() { return name; }
    public WeightFormat format() { return format; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    public long byteSize() { return rowBytes * rows; }

    /** Decodes row {@code r} into out[oo..oo+cols). */
    public void dequantRow(int r, float[] out, int oo) {
        format.dequant(data, r * rowBytes, out, oo, cols);
    }

    /** Reads a file-mapped matrix's pages into memory now (rows read later are not a disk read each). */
    public void preload() {
        if (data.isMapped()) data.load();
    }

    /** dot(row r, x[xo..xo+cols)). */
    public float dotRow(int r, float[] x, int xo) {
        return format.dot(data, r * rowBytes, x, xo, cols);
    }

    /**
     * Rows per unit of parallel work: the packed kernels' group of 16 rows (and the Java batched
     * path's tile), so a thread's share of a matrix is whole groups of the packed layout.
     */
    public static final int UNIT_ROWS = NativeKernels.PACK_ROWS;

    /**
     * One matmul ready for a parallel loop: its input already converted, its rows cut into
     * {@link #units()} units of {@link #UNIT_ROWS} rows (the last one shorter); {@code run(u0, u1)}
     * writes the outputs of units [u0, u1) and may run on any thread.
     */
    public interface Task {
        int units();

        void run(int u0, int u1);
    }

    /**
     * Units per chunk boundary of a matmul loop ({@code forRange}'s grain): the avx512 packed
     * matvec reads 4 groups side by side (MV_GROUPS in codellm_avx512_matmul.h) and runs a
     * chunk's leftover groups one stream at a time, so chunks start at multiples of 4 units.
     */
    public static final int GRAIN_UNITS = 4;

    /** Units of {@link #UNIT_ROWS} rows in this matrix. */
    public int units() { return (rows + UNIT_ROWS - 1) / UNIT_ROWS; }

    /**
     * y[t·rows + r] = Σ_c W[r][c]·x[t·cols + c] for each of {@code batch} activation rows. Small
     * batches read each weight once per token straight from the quantized data (the bandwidth-bound
     * decode case); larger batches decode a tile of rows once and reuse it for every token.
     */
    public void matmul(float[] x, float[] y, int batch, Parallel par) {
        run(task(new MatmulInput(x, batch), y, par), par);
    }

    /** Runs every unit of {@code t} as one parallel loop (chunks at multiples of {@link #GRAIN_UNITS}). */
    public static void run(Task t, Parallel par) {
        par.forRange(t.units(), GRAIN_UNITS, t::run);
    }

    /**
     * y_i = W_i·x for matrices that read the same input (Q, K, V), in one parallel loop: x is
     * converted once, and the threads split the matrices' rows taken end to end, so each streams
     * one contiguous run of weights.
     */
    public static void matmulAll(float[] x, int batch, Parallel par, WeightMatrix[] ms, float[][] ys) {
        run(tasks(new MatmulInput(x, batch), par, ms, ys), par);
    }

    /**
     * The matrices' tasks over one input taken end to end ({@link #matmulAll} without the loop):
     * the input is converted now, so a caller can time the conversion apart from the matmul.
     */
    public static Task tasks(MatmulInput in, Parallel par, WeightMatrix[] ms, float[][] ys) {
        Task[] ts = new Task[ms.length];
        for (int i = 0; i < ms.length; i++) ts[i] = ms[i].task(in, ys[i], par);
        return concat(ts);
    }

    /** The tasks' units taken end to end as one task. */
    public static Task concat(Task... ts) {
        int[] start = new int[ts.length + 1];
        for (int i = 0; i < ts.length; i++) start[i + 1] = start[i] + ts[i].units();
        return new Task() {
            @Override
            public int units() { return start[ts.length]; }

            @Override
            public void run(int u0, int u1) {
                for (int i = 0; i < ts.length; i++) {
                    int a = Math.max(u0, start[i]), b = Math.min(u1, start[i + 1]);
                    if (a < b) ts[i].run(a - start[i], b - start[i]);
                }
            }
        };
    }

    /**
     * This matrix times {@code in} into y, as a task for a parallel loop (the caller dispatches it,
     * possibly together with others). Converts the input (once per {@link MatmulInput}) and packs
     * the weights if needed now, on the calling thread.
     */
    public Task task(MatmulInput in, float[] y, Parallel par) {
        final float[] x = in.floats();
        final int batch = in.batch();
        if (format instanceof BF16Format && NativeKernels.enabled() && NativeKernels.bf16Dot()) {
            // BF16 × bf16 by vdpbf16ps: activations rounded once, shared by all rows (and threads).
            short[] xb = in.bf16(cols);
            if (batch >= NativeKernels.BF16_AMX_MIN_BATCH && NativeKernels.bf16Amx()) {
                // on AMX tiles: the rounded activations also packed once in the tile layout
                short[] xp = in.amxBf16(cols);
                return rowTask((from, to) -> NativeKernels.matmulBf16Amx(data, rowBytes, from, to, xb, xp, cols, batch, y, rows));
            }
            return rowTask((from, to) -> NativeKernels.matmulBf16Dot(data, rowBytes, from, to, xb, cols, batch, y, rows));
        }
        if (format instanceof F16Format && batch >= NativeKernels.F16_AMX_MIN_BATCH && NativeKernels.enabled()
                && NativeKernels.f16Amx()) {
            // F16 on AMX tiles: activations split and packed once, shared by all rows (and threads).
            short[] xp = in.amxSplit(cols);
            return rowTask((from, to) -> NativeKernels.matmulF16Amx(data, rowBytes, from, to, x, xp, cols, batch, y, rows));
        }
        final boolean nativeKernel = NativeKernels.enabled() && NativeKernels.supports(format);
        MemorySegment p = nativeKernel ? packed(par) : null;
        if (nativeKernel && NativeKernels.takesFloats(format)) {
            // F16/BF16 with float activations: on the variant's packed copy where it makes one (avx2), else ggml's rows
            if (p != null) return unitTask((g0, g1) -> NativeKernels.matmulFloatPacked(format, p, rows, g0, g1, x, cols, batch, y, rows));
            return rowTask((from, to) -> NativeKernels.matmulFloat(format, data, rowBytes, from, to, x, cols, batch, y, rows));
        }
        if (p != null) {
            // Native int8 path on the packed copy (a unit is one group of PACK_ROWS rows): activations
            // quantized to 8-bit blocks once, shared by all rows.
            byte[] xq = in.q8(cols);
            return unitTask((g0, g1) -> NativeKernels.matmulPacked(format, p, rows, g0, g1, xq, cols, batch, y, rows));
        }
        if (batch < format.directBatchLimit()) {
            float[] xs = in.prepared(format, cols);  // reordered once per token where the format wants it
            return rowTask((from, to) -> {
                float[] o4 = new float[4];
                for (int r = from; r < to; r++) {
                    int t = 0;
                    for (; t + 4 <= batch; t += 4) {  // 4 slots of a server step: unpack each weight once
                        format.dot4Prepared(data, r * rowBytes, xs, t * cols, cols, cols, o4);
                        for (int k = 0; k < 4; k++) y[(t + k) * rows + r] = o4[k];
                    }
                    for (; t < batch; t++) y[t * rows + r] = format.dotPrepared(data, r * rowBytes, xs, t * cols, cols);
                }
            });
        }
        return unitTask((from, to) -> {  // a unit is one tile of ROW_TILE rows, decoded once for every token
            float[] w = tileBuffer(ROW_TILE * cols);
            float[] out4 = new float[4];
            for (int tile = from; tile < to; tile++) {
                int r0 = tile * ROW_TILE, nr = Math.min(ROW_TILE, rows - r0);
                for (int i = 0; i < nr; i++) dequantRow(r0 + i, w, i * cols);
                int t = 0;
                for (; t + 4 <= batch; t += 4) {
                    for (int i = 0; i < nr; i++) {
                        dot4(w, i * cols, x, t, out4);
                        y[t * rows + r0 + i] = out4[0];
                        y[(t + 1) * rows + r0 + i] = out4[1];
                        y[(t + 2) * rows + r0 + i] = out4[2];
                        y[(t + 3) * rows + r0 + i] = out4[3];
                    }
                }
                for (; t < batch; t++) {
                    for (int i = 0; i < nr; i++) y[t * rows + r0 + i] = VecMath.dot(w, i * cols, x, t * cols, cols);
                }
            }
        });
    }

    /** A task whose body takes unit indices as they are. */
    private Task unitTask(Parallel.Range units) {
        int n = units();
        return new Task() {
            @Override
            public int units() { return n; }

            @Override
            public void run(int u0, int u1) { units.run(u0, u1); }
        };
    }

    /** A task whose body takes row indices: unit u is rows [16u, 16u + 16) ∩ [0, rows). */
    private Task rowTask(Parallel.Range rowRange) {
        return unitTask((u0, u1) -> rowRange.run(u0 * UNIT_ROWS, Math.min(rows, u1 * UNIT_ROWS)));
    }

    /** The running native variant's packed copy of this matrix, or null when it has no packed kernel for the format. */
    private volatile Packed packed;

    private record Packed(Object variant, MemorySegment data) {}

    /**
     * Repacks the weights for the running native variant (once per variant; later calls return the
     * copy), so the first forward does not pay for it: {@code LlamaModel.load} calls this for every
     * matrix a forward pass multiplies. Returns null for a format the running variant reads in the
     * file's layout (the Java-only formats; F16/BF16 on the AVX-512 variants, packed on avx2).
     * The copy lives off-heap for as long as this matrix does; the mapped pages it came from are
     * released (they are read back from the file only if the Java kernels are switched on later).
     */
    public MemorySegment packed(Parallel par) {
        if (!NativeKernels.enabled()) return null;
        Object variant = NativeKernels.variant();
        Packed p = packed;
        if (p != null && p.variant == variant) return p.data;
        synchronized (this) {
            p = packed;
            if (p != null && p.variant == variant) return p.data;
            long bytes = NativeKernels.packedBytes(format, rows, cols);
            MemorySegment dst = null;
            if (bytes > 0) {
                dst = Arena.ofAuto().allocate(bytes, 64);
                MemorySegment out = dst;
                int groups = (rows + NativeKernels.PACK_ROWS - 1) / NativeKernels.PACK_ROWS;
                par.forRange(groups, 16, (g0, g1) -> NativeKernels.pack(format, data, rowBytes, rows, cols, out, g0, g1));
                if (data.isMapped()) data.unload();
            }
            packed = new Packed(variant, dst);
            return dst;
        }
    }

    private void dot4(float[] w, int wo, float[] x, int t, float[] out) {
        VecMath.dot4(w, wo, x, t, cols, out);
    }

    private static final ThreadLocal<float[][]> TILE = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] tileBuffer(int size) {
        float[][] holder = TILE.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }
}
