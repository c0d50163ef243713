package dev.codellm.model.kernels;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One build of the C kernel library for one ISA level (native/libcodellm_ISA.so in the jar), with
 * the CPU flags it needs and its bound functions. Each variant is a separate shared object with the
 * same symbol names, so several can be loaded side by side (tests and {@code bench --kernels}
 * compare them in one JVM).
 */
final class NativeVariant {
    /** The variants the build makes, best first, with the cpuinfo flags each one's compile flags assume. */
    static final List<NativeVariant> ALL = List.of(
            new NativeVariant("amx", "the avx512 kernels plus AMX tiles for prompts (tile state granted by arch_prctl)",
                    "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "amx_tile", "amx_int8"),
            new NativeVariant("avx512", "AVX-512 F/BW/VL/VNNI int8 dots on repacked weights",
                    "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni"),
            new NativeVariant("avx2", "AVX2 int8 dots (maddubs) and F16/BF16 FMA tiles on weights repacked to 16-row groups", "avx2", "fma", "f16c"));

    /** The ggml types every variant's int8 kernels take, on weights repacked at load: Q4_0, Q8_0, Q4_K, Q5_K, Q6_K. */
    private static final Set<Integer> INT8_TYPES = Set.of(2, 8, 12, 13, 14);

    /** True when the int8 kernels take ggml type id (quantized activations, repacked weights). */
    static boolean int8Type(int ggmlId) { return INT8_TYPES.contains(ggmlId); }

    /** True for the float types (F16, BF16) that cl_matmul_float_packed takes where a variant has it. */
    static boolean floatPackedType(int ggmlId) { return ggmlId == 1 || ggmlId == 30; }

    final String name;
    final String summary;
    final String[] cpuFlags;
    private volatile Loaded loaded;
    private String loadError;

    /** The library's bound functions; those for a CPU feature beyond the variant's own are null where it is missing. */
    record Loaded(Path path, MethodHandle quantize, MethodHandle[] matmulFloat, MethodHandle flashAttend,
                  MethodHandle packedBytes, MethodHandle pack, MethodHandle matmulPacked, MethodHandle bf16Dot,
                  MethodHandle roundBf16, MethodHandle bf16Amx, MethodHandle packBf16Amx, MethodHandle f16Amx,
                  MethodHandle splitPackAmx, MethodHandle matmulFloatPacked) {}

    /**
     * The cpuinfo flag the BF16 {@code vdpbf16ps} kernel needs on top of the variant's own: the
     * library has it compiled in (function-level target), it is bound only where the CPU has it.
     */
    static final String BF16_DOT_FLAG = "avx512_bf16";

    /** The cpuinfo flag AMX BF16 tiles need on top of the amx variant's own (bound only where present, like {@link #BF16_DOT_FLAG}). */
    static final String AMX_BF16_FLAG = "amx_bf16";

    /**
     * Test hook: {@code -Dcodellm.amx.refuse=ERRNO} makes the tile-state request report refusal with
     * that errno instead of asking Linux, so a test on a machine that grants AMX can check the
     * fallback to avx512 and the reason in the status line (ForcedVariantTest).
     */
    static final String AMX_REFUSE_PROPERTY = "codellm.amx.refuse";

    /** The variant names, best first, for messages. */
    static String names() {
        StringBuilder b = new StringBuilder();
        for (NativeVariant v : ALL) b.append(v.name).append(", ");
        return b.append("java").toString();
    }

    private NativeVariant(String name, String summary, String... cpuFlags) {
        this.name = name;
        this.summary = summary;
        this.cpuFlags = cpuFlags;
    }

    static NativeVariant named(String name) {
        for (NativeVariant v : ALL) if (v.name.equals(name)) return v;
        return null;
    }

    /** The first flag this variant needs that the CPU lacks, or null when it can run here. */
    String missingFlag() { return CpuFeatures.firstMissing(cpuFlags); }

    boolean built() { return NativeVariant.class.getResource(resource()) != null; }

    private String resource() { return "native/libcodellm_" + name + ".so"; }

    /** Loads the library once (the caller has checked the CPU); null with {@link #loadError()} set when it cannot. */
    synchronized Loaded load() {
        if (loaded != null || loadError != null) return loaded;
        try {
            Path lib = extract();
            if (lib == null) {
                loadError = "library " + resource() + " not built (no gcc, or a gcc without these flags, at build time)";
                return null;
            }
            SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
            Linker linker = Linker.nativeLinker();
            Linker.Option critical = Linker.Option.critical(true);
            MethodHandle q = linker.downcallHandle(lookup.findOrThrow("cl_quantize_q8_0"),
                    FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG), critical);
            FunctionDescriptor desc = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
                    JAVA_INT, ADDRESS, JAVA_INT);
            // F16, BF16 on ggml's layout with float activations, same signature (the AVX-512 variants;
            // avx2 has them on repacked weights only, cl_matmul_float_packed below)
            MethodHandle[] mf = new MethodHandle[32];
            Optional<MemorySegment> f16 = lookup.find("cl_matmul_f16"), bf16 = lookup.find("cl_matmul_bf16");
            if (f16.isPresent()) mf[1] = linker.downcallHandle(f16.get(), desc, critical);
            if (bf16.isPresent()) mf[30] = linker.downcallHandle(bf16.get(), desc, critical);
            MethodHandle att = linker.downcallHandle(lookup.findOrThrow("cl_flash_attend"), FunctionDescriptor.ofVoid(JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_FLOAT, ADDRESS, JAVA_LONG, ADDRESS),
                    critical);
            Optional<MemorySegment> init = lookup.find("cl_amx_init");
            if (init.isPresent()) {
                Integer refusedForTest = Integer.getInteger(AMX_REFUSE_PROPERTY);
                int err = refusedForTest != null ? refusedForTest
                        : (int) linker.downcallHandle(init.get(), FunctionDescriptor.of(JAVA_INT)).invokeExact();
                if (err != 0) {
                    loadError = "Linux refused the AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM, XTILEDATA): errno " + err;
                    return null;
                }
            }
            MethodHandle packedBytes = linker.downcallHandle(lookup.findOrThrow("cl_packed_bytes"),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT), critical);
            MethodHandle pack = linker.downcallHandle(lookup.findOrThrow("cl_pack"), FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS,
                    JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), critical);
            MethodHandle mmPacked = linker.downcallHandle(lookup.findOrThrow("cl_matmul_packed"), FunctionDescriptor.ofVoid(JAVA_INT,
                    ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), critical);
            Optional<MemorySegment> dp = lookup.find("cl_matmul_bf16_dp");
            MethodHandle bf16Dot = null, roundBf16 = null, bf16AmxMm = null, packBf16 = null;
            if (dp.isPresent() && CpuFeatures.has(BF16_DOT_FLAG)) {
                bf16Dot = linker.downcallHandle(dp.get(), desc, critical);
                roundBf16 = linker.downcallHandle(lookup.findOrThrow("cl_round_bf16"),
                        FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG), critical);
                // The amx library's TDPBF16PS kernel for prompts (it hands row tails and batches
                // under 16 to cl_matmul_bf16_dp) where the CPU has AMX BF16 tiles.
                Optional<MemorySegment> amx = lookup.find("cl_matmul_bf16_amx");
                if (amx.isPresent() && CpuFeatures.has(AMX_BF16_FLAG)) {
                    bf16AmxMm = linker.downcallHandle(amx.get(), FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
                            ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), critical);
                    packBf16 = linker.downcallHandle(lookup.findOrThrow("cl_pack_bf16_amx"),
                            FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), critical);
                }
            }
            // F16 prompts on the same tiles, each weight split exactly into two bf16 (amx library, where
            // the CPU has AMX BF16 tiles and avx512_bf16 for the splitting conversions).
            Optional<MemorySegment> f16Amx = lookup.find("cl_matmul_f16_amx");
            MethodHandle f16AmxMm = null, splitPack = null;
            if (f16Amx.isPresent() && CpuFeatures.has(AMX_BF16_FLAG) && CpuFeatures.has(BF16_DOT_FLAG)) {
                f16AmxMm = linker.downcallHandle(f16Amx.get(), FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
                        ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), critical);
                splitPack = linker.downcallHandle(lookup.findOrThrow("cl_split_pack_amx"),
                        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), critical);
            }
            // F16/BF16 on weights repacked to k-major 16-row groups (avx2 variant; the AVX-512 ones read ggml's layout)
            Optional<MemorySegment> fp = lookup.find("cl_matmul_float_packed");
            MethodHandle floatPacked = fp.isEmpty() ? null : linker.downcallHandle(fp.get(), FunctionDescriptor.ofVoid(JAVA_INT,
                    ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), critical);
            loaded = new Loaded(lib, q, mf, att, packedBytes, pack, mmPacked, bf16Dot, roundBf16, bf16AmxMm, packBf16,
                    f16AmxMm, splitPack, floatPacked);
        } catch (Throwable t) {
            loadError = "failed to load " + resource() + ": " + t;
        }
        return loaded;
    }

    synchronized String loadError() { return loadError; }

    /** Copies the library out of the jar into a per-content cache file (loading needs a real path). */
    private Path extract() throws Exception {
        byte[] bytes;
        try (InputStream in = NativeVariant.class.getResourceAsStream(resource())) {
            if (in == null) return null;
            bytes = in.readAllBytes();
        }
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "codellm-native-" + System.getProperty("user.name"));
        Files.createDirectories(dir);
        Path lib = dir.resolve("libcodellm_" + name + "-" + hash + ".so");
        if (!Files.exists(lib) || Files.size(lib) != bytes.length) {
            Path tmp = Files.createTempFile(dir, "lib", ".so");
            Files.write(tmp, bytes);
            Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return lib;
    }
}
