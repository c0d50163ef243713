package dev.codellm.model.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The C kernel library (src/main/c/codellm_kernels.c, compiled by the build with the machine's gcc
 * and shipped in the jar): 8-bit activation quantization and int8-dot matmuls for Q4_0, Q8_0, Q4_K,
 * Q5_K and Q6_K weights, and attention over an F16 KV cache.
 * <p>On by default: it is used whenever the library loads and the CPU has AVX2+FMA+F16C. The pure
 * Java Vector API kernels are the fallback, chosen automatically when the library is absent (no gcc
 * at build time, another CPU) or explicitly with {@code -Dcodellm.native=false}, env
 * {@code CODELLM_NATIVE=0} or {@code bench --java} (the first two do not even load the library).
 * Why it exists: JDK 25's Vector API has no 8-bit multiply-add, so int8 dot products (llama.cpp's
 * approach) are out of reach in Java today; docs/engine.md compares the two paths. The two paths
 * differ numerically: native quantizes activations to 8 bits per block of 32 (as llama.cpp does),
 * the Java kernels keep float activations.
 */
public final class NativeKernels {
    private static final String RESOURCE = "native/libcodellm_kernels.so";
    private static final MethodHandle QUANTIZE;
    /** Native matmul per ggml type id (null where there is none). */
    private static final MethodHandle[] MATMUL = new MethodHandle[32];
    private static final int[] NATIVE_TYPES = {2, 8, 12, 13, 14};
    private static final String[] NATIVE_NAMES = {"q4_0", "q8_0", "q4_k", "q5_k", "q6_k"};
    private static final MethodHandle ATTEND_F16;
    private static final String STATUS;

    static {
        MethodHandle q = null, att = null;
        MethodHandle[] mm = new MethodHandle[NATIVE_TYPES.length];
        String status;
        try {
            if (disabledByFlag()) {
                status = "disabled by -Dcodellm.native=false / CODELLM_NATIVE=0";
            } else if (!cpuHasAvx2()) {
                status = "CPU lacks AVX2/FMA/F16C";
            } else {
                Path lib = extract();
                if (lib == null) {
                    status = "library not built (no gcc at build time?)";
                } else {
                    SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
                    Linker linker = Linker.nativeLinker();
                    Linker.Option critical = Linker.Option.critical(true);
                    q = linker.downcallHandle(lookup.findOrThrow("cl_quantize_q8_0"),
                            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), critical);
                    FunctionDescriptor desc = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT);
                    for (int i = 0; i < NATIVE_TYPES.length; i++) {
                        mm[i] = linker.downcallHandle(lookup.findOrThrow("cl_matmul_" + NATIVE_NAMES[i]), desc, critical);
                    }
                    att = linker.downcallHandle(lookup.findOrThrow("cl_attend_f16"), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), critical);
                    status = "loaded " + lib;
                }
            }
        } catch (Throwable t) {
            q = att = null;
            mm = new MethodHandle[NATIVE_TYPES.length];
            status = "failed to load: " + t;
        }
        QUANTIZE = q;
        ATTEND_F16 = att;
        for (int i = 0; i < NATIVE_TYPES.length; i++) MATMUL[NATIVE_TYPES[i]] = q == null ? null : mm[i];
        STATUS = status;
    }

    private NativeKernels() {}

    /** Whether this JVM was told to avoid the native kernels ({@code -Dcodellm.native=false} or {@code CODELLM_NATIVE=0}). */
    private static boolean disabledByFlag() {
        return "false".equals(System.getProperty("codellm.native")) || "0".equals(System.getenv("CODELLM_NATIVE"));
    }

    /** Whether matmuls use the native kernels by default in this JVM: yes, unless a flag says no (see the class comment). */
    public static final boolean DEFAULT_ENABLED = !disabledByFlag();

    private static volatile boolean enabled = DEFAULT_ENABLED;

    /** Whether matmuls use the native kernels when they can (default {@link #DEFAULT_ENABLED}; tests and bench flip it). */
    public static boolean enabled() { return enabled && available(); }

    /** Selects the native kernels (when available) or the Java ones for every following matmul in this JVM. */
    public static void setEnabled(boolean on) { enabled = on; }

    /** One line saying which kernels run and why, e.g. for {@code bench} and {@code --verbose}. */
    public static String describe() {
        if (enabled()) return "native C int8 kernels (" + STATUS + ")";
        if (!available()) return "Java Vector API kernels (native unavailable: " + STATUS + ")";
        return "Java Vector API kernels (native switched off)";
    }

    /** True when the native library is loaded and usable. */
    public static boolean available() { return QUANTIZE != null; }

    /** Whether the library loaded, and from where, or why not. */
    public static String status() { return STATUS; }

    /** True when there is a native matmul for this weight format. */
    public static boolean supports(WeightFormat f) {
        return available() && f.ggmlId() < MATMUL.length && MATMUL[f.ggmlId()] != null;
    }

    /** Bytes of the quantized-activation form of {@code n} floats (blocks of 32: f32 d, f32 d·Σq, 32 × int8). */
    public static int q8Bytes(int n) { return n / 32 * 40; }

    /** Quantizes x[0..n) (n a multiple of 32) to 8-bit blocks (d = max|x|/127, q = round(x/d)) in {@code out}. */
    public static void quantizeQ8_0(float[] x, byte[] out, int n) {
        try {
            QUANTIZE.invokeExact(MemorySegment.ofArray(x), MemorySegment.ofArray(out), (long) n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** y[t·yStride + r] = row r · token t, for rows [r0, r1) and {@code batch} quantized tokens. */
    static void matmul(WeightFormat f, MemorySegment w, long rowBytes, int r0, int r1, byte[] xq, int cols, int batch,
                       float[] y, int yStride) {
        MethodHandle h = MATMUL[f.ggmlId()];
        try {
            h.invokeExact(w, rowBytes, r0, r1, MemorySegment.ofArray(xq), cols, batch, MemorySegment.ofArray(y), yStride);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Attention of one head over an F16 KV cache: k and v start at the head's first element of
     * position 0, rows {@code stride} elements apart; positions [0, n). Writes out[oo..oo+hd).
     */
    public static void attendF16(MemorySegment k, MemorySegment v, long stride, int n, float[] q, int qo, int hd, float scale,
                                 float[] scores, float[] out, int oo) {
        try {
            ATTEND_F16.invokeExact(k, v, stride, n, MemorySegment.ofArray(q).asSlice(4L * qo), hd, scale,
                    MemorySegment.ofArray(scores), MemorySegment.ofArray(out).asSlice(4L * oo));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new RuntimeException(t);
    }

    private static boolean cpuHasAvx2() {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            int flags = info.indexOf("\nflags");
            if (flags < 0) return false;
            String line = info.substring(flags, info.indexOf('\n', flags + 1)) + " ";
            return line.contains(" avx2 ") && line.contains(" fma ") && line.contains(" f16c ");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Copies the library out of the jar into a per-content cache file (loading needs a real path). */
    private static Path extract() throws Exception {
        byte[] bytes;
        try (InputStream in = NativeKernels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return null;
            bytes = in.readAllBytes();
        }
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "codellm-native-" + System.getProperty("user.name"));
        Files.createDirectories(dir);
        Path lib = dir.resolve("libcodellm_kernels-" + hash + ".so");
        if (!Files.exists(lib) || Files.size(lib) != bytes.length) {
            Path tmp = Files.createTempFile(dir, "lib", ".so");
            Files.write(tmp, bytes);
            Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return lib;
    }
}
