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
 * The optional C kernel library (src/main/c/codellm_kernels.c, compiled by the build and shipped
 * in the jar): Q8_0 activation quantization and int8-dot matmuls for Q4_0 and Q8_0 weights.
 * Used only when it loads and the CPU has AVX2+FMA+F16C; disabled with {@code -Dcodellm.native=false}
 * or env {@code CODELLM_NATIVE=0}. Otherwise the pure-Java kernels run.
 */
public final class NativeKernels {
    private static final String RESOURCE = "native/libcodellm_kernels.so";
    private static final MethodHandle QUANTIZE;
    private static final MethodHandle MATMUL_Q4_0;
    private static final MethodHandle MATMUL_Q8_0;
    private static final String STATUS;

    static {
        MethodHandle q = null, m4 = null, m8 = null;
        String status;
        try {
            if ("false".equals(System.getProperty("codellm.native")) || "0".equals(System.getenv("CODELLM_NATIVE"))) {
                status = "disabled by flag";
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
                    FunctionDescriptor mm = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT);
                    m4 = linker.downcallHandle(lookup.findOrThrow("cl_matmul_q4_0"), mm, critical);
                    m8 = linker.downcallHandle(lookup.findOrThrow("cl_matmul_q8_0"), mm, critical);
                    status = "loaded " + lib;
                }
            }
        } catch (Throwable t) {
            q = m4 = m8 = null;
            status = "failed to load: " + t;
        }
        QUANTIZE = q;
        MATMUL_Q4_0 = m4;
        MATMUL_Q8_0 = m8;
        STATUS = status;
    }

    private NativeKernels() {}

    private static volatile boolean enabled = true;

    /** Whether matmuls use the native kernels when they can (default true; tests and bench flip it). */
    public static boolean enabled() { return enabled && available(); }

    public static void setEnabled(boolean on) { enabled = on; }

    /** True when the native library is loaded and usable. */
    public static boolean available() { return QUANTIZE != null; }

    /** Why the native kernels are or are not in use (for {@code bench} and {@code --verbose}). */
    public static String status() { return STATUS; }

    /** True when there is a native matmul for this weight format. */
    public static boolean supports(WeightFormat f) {
        return available() && (f.ggmlId() == 2 || f.ggmlId() == 8);
    }

    /** Bytes of the Q8_0 form of {@code n} floats. */
    public static int q8Bytes(int n) { return n / 32 * 34; }

    /** Quantizes x[0..n) (n a multiple of 32) into Q8_0 blocks in {@code out}. */
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
        MethodHandle h = f.ggmlId() == 2 ? MATMUL_Q4_0 : MATMUL_Q8_0;
        try {
            h.invokeExact(w, rowBytes, r0, r1, MemorySegment.ofArray(xq), cols, batch, MemorySegment.ofArray(y), yStride);
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
