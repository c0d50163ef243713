package dev.codellm.model.kernels;

import dev.codellm.core.CodellmException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The C kernel library (src/main/c, compiled by the build once per ISA level and shipped in the
 * jar): 8-bit activation quantization, int8-dot matmuls for Q4_0, Q8_0, Q4_K, Q5_K and Q6_K weights
 * (on weights repacked at load where the variant has packed kernels), F16/BF16 matmuls with float
 * activations, and blocked attention over the KV cache (F32, F16, Q8_0, Q4_0).
 * <p>Which variant runs is decided at run time from the CPU's flags ({@link CpuFeatures}), best
 * first ({@link NativeVariant#ALL}: amx, avx512, then avx2), never from the machine that built the jar.
 * amx is refused (and avx512 chosen) where Linux does not grant the tile state.
 * {@code CODELLM_ISA=amx|avx512|avx2|java} (or {@code -Dcodellm.isa=}) forces one: a forced variant
 * the CPU cannot run is refused with the reason and the automatic choice is used. The pure Java
 * Vector API kernels are the fallback, chosen when no variant loads (no gcc at build time, another
 * CPU) or explicitly with {@code CODELLM_ISA=java}, {@code CODELLM_NATIVE=0},
 * {@code -Dcodellm.native=false} or {@code bench --java} (the flags do not even load a library).
 * Why it exists: JDK 25's Vector API has no 8-bit multiply-add, so int8 dot products (llama.cpp's
 * approach) are out of reach in Java today; docs/engine.md compares the paths. Native quantizes
 * activations to 8 bits per block of 32 (as llama.cpp does), the Java kernels keep floats.
 */
public final class NativeKernels {
    private static final String REQUEST = request();
    private static volatile NativeVariant current;
    private static volatile String status;

    static {
        selectDefault();
    }

    private NativeKernels() {}

    /** What the flags ask for: a variant name, "java", or "auto". */
    private static String request() {
        if ("false".equals(System.getProperty("codellm.native")) || "0".equals(System.getenv("CODELLM_NATIVE"))) return "java";
        String isa = System.getProperty("codellm.isa", System.getenv("CODELLM_ISA"));
        return isa == null || isa.isBlank() ? "auto" : isa.trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether matmuls use the native kernels by default in this JVM: yes, unless a flag says no (see the class comment). */
    public static final boolean DEFAULT_ENABLED = !REQUEST.equals("java");

    private static volatile boolean enabled = DEFAULT_ENABLED;

    /** Back to the variant the flags and the CPU choose (tests call it after forcing one). */
    public static synchronized void selectDefault() {
        if (REQUEST.equals("java")) {
            current = null;
            status = "disabled by " + (System.getenv("CODELLM_ISA") != null || System.getProperty("codellm.isa") != null
                    ? "CODELLM_ISA=java" : "-Dcodellm.native=false / CODELLM_NATIVE=0");
            return;
        }
        List<String> skipped = new ArrayList<>();
        if (!REQUEST.equals("auto")) {
            NativeVariant forced = NativeVariant.named(REQUEST);
            if (forced == null) {
                skipped.add("CODELLM_ISA=" + REQUEST + " is not a variant of this build (" + NativeVariant.names() + ")");
            } else {
                String why = unusable(forced);
                if (why == null) {
                    current = forced;
                    status = forced.name + " forced by CODELLM_ISA: " + forced.summary + "; " + forced.load().path();
                    return;
                }
                skipped.add("CODELLM_ISA=" + REQUEST + " refused: " + why);
            }
        }
        for (NativeVariant v : NativeVariant.ALL) {
            String why = unusable(v);
            if (why == null) {
                current = v;
                status = v.name + " chosen from the CPU flags (" + String.join(" ", v.cpuFlags) + "): " + v.summary
                        + (skipped.isEmpty() ? "" : "; " + String.join("; ", skipped)) + "; " + v.load().path();
                return;
            }
            skipped.add(v.name + ": " + why);
        }
        current = null;
        status = "no native variant runs here: " + String.join("; ", skipped);
    }

    /** Why a variant cannot run on this CPU / in this build, or null when it can (loading it if needed). */
    private static String unusable(NativeVariant v) {
        String missing = v.missingFlag();
        if (missing != null) return "CPU lacks " + missing;
        if (v.load() == null) return v.loadError();
        return null;
    }

    /**
     * Forces one variant ({@code amx}, {@code avx512}, {@code avx2}) or the Java kernels ({@code java}) for every
     * following matmul in this JVM, e.g. for {@code bench --kernels}; refuses one the CPU or the
     * build cannot run, naming why.
     */
    public static synchronized void select(String isa) {
        if (isa.equals("java")) {
            enabled = false;
            return;
        }
        NativeVariant v = NativeVariant.named(isa);
        if (v == null) throw new CodellmException("unknown kernels '" + isa + "' (" + NativeVariant.names() + ")");
        String why = unusable(v);
        if (why != null) throw new CodellmException("kernels " + isa + " cannot run here: " + why);
        current = v;
        status = v.name + " selected: " + v.summary + "; " + v.load().path();
        enabled = true;
    }

    /** Whether matmuls use the native kernels when they can (default {@link #DEFAULT_ENABLED}; tests and bench flip it). */
    public static boolean enabled() { return enabled && available(); }

    /** Selects the native kernels (when available) or the Java ones for every following matmul in this JVM. */
    public static void setEnabled(boolean on) { enabled = on; }

    /** The kernels that run now: a native variant's name ({@code amx}, {@code avx512}, {@code avx2}) or {@code java}. */
    public static String isa() { return enabled() ? current.name : "java"; }

    /** The native variants this CPU and build can run, best first (for tests and bench). */
    public static List<String> runnableVariants() {
        List<String> out = new ArrayList<>();
        for (NativeVariant v : NativeVariant.ALL) if (unusable(v) == null) out.add(v.name);
        return out;
    }

    /** One line saying which kernels run and why, e.g. for {@code bench}, {@code inspect} and /props. */
    public static String describe() {
        if (enabled()) return "native " + current.name + " kernels (" + status + ")"
                + (bf16Dot() ? "; BF16 by vdpbf16ps on bf16 activations (" + NativeVariant.BF16_DOT_FLAG + ")"
                        + (bf16Amx() ? ", prompts by AMX TDPBF16PS tiles (" + NativeVariant.AMX_BF16_FLAG + ")" : "") : "")
                + (f16Amx() ? "; F16 prompts by AMX TDPBF16PS tiles on weights split exactly into two bf16" : "");
        if (!available()) return "Java Vector API kernels (native unavailable: " + status + ")";
        return "Java Vector API kernels (native switched off)";
    }

    /** True when a native variant is loaded and usable. */
    public static boolean available() { return current != null; }

    /** Which variant loaded and why, or why none did. */
    public static String status() { return status; }

    private static NativeVariant.Loaded lib() { return current.load(); }

    /** The running variant (identity for caches of packed weights). */
    static Object variant() { return current; }

    /** True when there is a native matmul for this weight format (int8 or, for F16/BF16, float activations). */
    public static boolean supports(WeightFormat f) {
        return available() && f.ggmlId() < 32 && (NativeVariant.int8Type(f.ggmlId()) || takesFloats(f));
    }

    /** True when the native matmul of f takes float activations (F16, BF16) rather than 8-bit ones. */
    static boolean takesFloats(WeightFormat f) {
        int id = f.ggmlId();
        return id < 32 && (lib().matmulFloat()[id] != null || (NativeVariant.floatPackedType(id) && lib().matmulFloatPacked() != null));
    }

    /** y[t·yStride + r] = row r · x[t·cols ..], rows [r0, r1), for F16/BF16 weights and float activations. */
    static void matmulFloat(WeightFormat f, MemorySegment w, long rowBytes, int r0, int r1, float[] x, int cols, int batch,
                            float[] y, int yStride) {
        try {
            lib().matmulFloat()[f.ggmlId()].invokeExact(w, rowBytes, r0, r1, MemorySegment.ofArray(x), cols, batch,
                    MemorySegment.ofArray(y), yStride);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether the vdpbf16ps BF16 kernel is wanted by default in this JVM (see {@link #bf16Dot()}). */
    public static final boolean BF16_DOT_DEFAULT = !"0".equals(System.getenv("CODELLM_BF16_DOT"))
            && !"false".equals(System.getProperty("codellm.bf16dot"));

    private static volatile boolean bf16DotEnabled = BF16_DOT_DEFAULT;

    /**
     * True when BF16 matmuls run the {@code vdpbf16ps} kernel (the running variant has it and the
     * CPU has avx512_bf16): activations are rounded to bf16 once per matmul, as llama.cpp does.
     * {@code CODELLM_BF16_DOT=0} (or {@code -Dcodellm.bf16dot=false}) keeps float activations.
     */
    public static boolean bf16Dot() { return bf16DotEnabled && available() && lib().bf16Dot() != null; }

    /** Switches the vdpbf16ps BF16 kernel on or off where it exists (tests compare both paths). */
    public static void setBf16Dot(boolean on) { bf16DotEnabled = on; }

    /** out[i] = x[i] rounded to bf16 (nearest even), for {@link #matmulBf16Dot}. */
    static void roundBf16(float[] x, short[] out, int n) {
        roundBf16(x, 0, out, n);
    }

    /** x[o..o+n) rounded to bf16 into out[o..o+n) (element by element, so rows can go to different threads). */
    static void roundBf16(float[] x, int o, short[] out, int n) {
        try {
            lib().roundBf16().invokeExact(MemorySegment.ofArray(x).asSlice(4L * o), MemorySegment.ofArray(out).asSlice(2L * o), (long) n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** y[t·yStride + r] = row r · xb[t·cols ..], rows [r0, r1), BF16 weights × bf16 activations by vdpbf16ps. */
    static void matmulBf16Dot(MemorySegment w, long rowBytes, int r0, int r1, short[] xb, int cols, int batch,
                              float[] y, int yStride) {
        try {
            lib().bf16Dot().invokeExact(w, rowBytes, r0, r1, MemorySegment.ofArray(xb), cols, batch,
                    MemorySegment.ofArray(y), yStride);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Batches from which BF16 matmuls run the AMX kernel (one 16-token tile; smaller ones run vdpbf16ps). */
    static final int BF16_AMX_MIN_BATCH = 16;

    /**
     * True when BF16 prompt matmuls run AMX {@code TDPBF16PS} tiles (the amx variant on a CPU with
     * amx_bf16, and {@link #bf16Dot()} on: the same bf16 activations).
     */
    public static boolean bf16Amx() { return bf16Dot() && lib().bf16Amx() != null; }

    /** uint16s of {@link #packBf16Amx}'s output for batch × cols bf16: 16-token groups × 32-column steps × 512. */
    static int packBf16Shorts(int cols, int batch) { return ((batch + 15) / 16) * (cols / 32) * 512; }

    /** xb ({@link #roundBf16}'s output) in the AMX B-tile layout, once per matmul input (see {@link #bf16Amx}). */
    static void packBf16Amx(short[] xb, int cols, int batch, short[] out) {
        try {
            lib().packBf16Amx().invokeExact(MemorySegment.ofArray(xb), cols, batch, MemorySegment.ofArray(out));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** y[t·yStride + r] = row r · xb[t·cols ..], rows [r0, r1), BF16 weights on AMX tiles; xp = {@link #packBf16Amx} of xb. */
    static void matmulBf16Amx(MemorySegment w, long rowBytes, int r0, int r1, short[] xb, short[] xp, int cols, int batch,
                              float[] y, int yStride) {
        try {
            lib().bf16Amx().invokeExact(w, rowBytes, r0, r1, MemorySegment.ofArray(xb), MemorySegment.ofArray(xp), cols, batch,
                    MemorySegment.ofArray(y), yStride);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Batches from which F16 matmuls run the AMX kernel (one 16-token tile; smaller ones run the float kernel). */
    static final int F16_AMX_MIN_BATCH = 16;

    /**
     * True when F16 prompt matmuls run AMX {@code TDPBF16PS} tiles (the amx variant on a CPU with
     * amx_bf16 and avx512_bf16): each f16 weight is exactly the sum of two bf16, the float activations
     * are split the same way, and three tile products give each product to about 2^-17 relative.
     */
    public static boolean f16Amx() { return available() && lib().f16Amx() != null; }

    /** uint16s of {@link #splitPackAmx}'s output for batch × cols floats: hi and lo, 16-token groups × 32-column steps × 512. */
    static int splitPackShorts(int cols, int batch) { return 2 * ((batch + 15) / 16) * (cols / 32) * 512; }

    /** x split into bf16 hi + lo and packed in the AMX B-tile layout, once per matmul input (see {@link #f16Amx}). */
    static void splitPackAmx(float[] x, int cols, int batch, short[] out) {
        try {
            lib().splitPackAmx().invokeExact(MemorySegment.ofArray(x), cols, batch, MemorySegment.ofArray(out));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** y[t·yStride + r] = row r · x[t·cols ..], rows [r0, r1), F16 weights on AMX tiles; xp = {@link #splitPackAmx} of x. */
    static void matmulF16Amx(MemorySegment w, long rowBytes, int r0, int r1, float[] x, short[] xp, int cols, int batch,
                             float[] y, int yStride) {
        try {
            lib().f16Amx().invokeExact(w, rowBytes, r0, r1, MemorySegment.ofArray(x), MemorySegment.ofArray(xp), cols, batch,
                    MemorySegment.ofArray(y), yStride);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Bytes of the quantized-activation form of {@code n} floats (blocks of 32: f32 d, i16 Σq of each half, 32 × int8). */
    public static int q8Bytes(int n) { return n / 32 * 40; }

    /** Quantizes x[0..n) (n a multiple of 32) to 8-bit blocks (d = max|x|/127, q = round(x/d)) in {@code out}. */
    public static void quantizeQ8_0(float[] x, byte[] out, int n) {
        quantizeQ8_0(x, 0, out, 0, n);
    }

    /**
     * Quantizes x[xo..xo+n) into out from byte {@code oo} on (xo and n multiples of 32, oo =
     * {@link #q8Bytes}(xo)): every block is quantized on its own, so a batch's rows can be
     * quantized by different threads with the same bytes as one call.
     */
    public static void quantizeQ8_0(float[] x, int xo, byte[] out, int oo, int n) {
        try {
            lib().quantize().invokeExact(MemorySegment.ofArray(x).asSlice(4L * xo), MemorySegment.ofArray(out).asSlice(oo), (long) n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Rows per packed group (the packed kernels' unit of work). */
    static final int PACK_ROWS = 16;

    /** Bytes of the running variant's packed form of a rows × cols matrix, or 0 when it has no packed kernel for f. */
    static long packedBytes(WeightFormat f, int rows, int cols) {
        try {
            return (long) lib().packedBytes().invokeExact(f.ggmlId(), rows, cols);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Packs row groups [g0, g1) of the ggml-layout matrix w into dst. */
    static void pack(WeightFormat f, MemorySegment w, long rowBytes, int rows, int cols, MemorySegment dst, int g0, int g1) {
        try {
            lib().pack().invokeExact(f.ggmlId(), w, rowBytes, rows, cols, dst, g0, g1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** y[t·yStride + r] = row r · token t of {@code batch} quantized tokens, on a packed matrix, for the rows of groups [g0, g1). */
    static void matmulPacked(WeightFormat f, MemorySegment p, int rows, int g0, int g1, byte[] xq, int cols, int batch,
                             float[] y, int yStride) {
        try {
            lib().matmulPacked().invokeExact(f.ggmlId(), p, rows, g0, g1, MemorySegment.ofArray(xq), cols, batch,
                    MemorySegment.ofArray(y), yStride);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Like {@link #matmulFloat} on a packed matrix (F16/BF16 where the variant packs them, see
     * {@link WeightMatrix#packed}), for the rows of groups [g0, g1).
     */
    static void matmulFloatPacked(WeightFormat f, MemorySegment p, int rows, int g0, int g1, float[] x, int cols, int batch,
                                  float[] y, int yStride) {
        try {
            lib().matmulFloatPacked().invokeExact(f.ggmlId(), p, rows, g0, g1, MemorySegment.ofArray(x), cols, batch,
                    MemorySegment.ofArray(y), yStride);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether the running native library has the blocked attention kernel (every variant of this build has). */
    public static boolean attendsBlocked() {
        return current != null && lib().flashAttend() != null;
    }

    private static final ThreadLocal<float[]> ATTEND_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Blocked causal attention of {@code nq} queries of one head (cl_flash_attend in
     * codellm_attention.c): query i at position first + i sees keys 0 … first + i; k and v start at
     * the head's first element of position 0 in a cache of ggml type {@code type} (F32, F16, Q8_0,
     * Q4_0), rows {@code rowBytes} apart. Writes out[oo + i·oStride ..).
     */
    public static void flashAttend(int type, MemorySegment k, MemorySegment v, long rowBytes, int hd, int first, int nq, float[] q,
                                   int qo, int qStride, float scale, float[] out, int oo, int oStride) {
        int need = 2 * 32 * hd + nq * hd + 2 * nq + 32;
        float[] scratch = ATTEND_SCRATCH.get();
        if (scratch.length < need) ATTEND_SCRATCH.set(scratch = new float[need]);
        try {
            lib().flashAttend().invokeExact(type, k, v, rowBytes, hd, first, nq, MemorySegment.ofArray(q).asSlice(4L * qo), (long) qStride,
                    scale, MemorySegment.ofArray(out).asSlice(4L * oo), (long) oStride, MemorySegment.ofArray(scratch));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new RuntimeException(t);
    }
}
