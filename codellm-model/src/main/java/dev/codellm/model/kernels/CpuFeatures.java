package dev.codellm.model.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The instruction-set flags of the CPU this JVM runs on, as Linux reports them in /proc/cpuinfo
 * (CPUID bits the kernel has also enabled in XSAVE: AVX-512 appears only where the OS saves zmm
 * state). Read at run time so a jar built on one machine picks the right kernels on another.
 */
public final class CpuFeatures {
    private static final Set<String> FLAGS = read();

    private CpuFeatures() {}

    /** True when every flag (cpuinfo spelling, e.g. {@code avx512_vnni}) is present. */
    public static boolean has(String... flags) {
        for (String f : flags) if (!FLAGS.contains(f)) return false;
        return true;
    }

    /** The first of {@code flags} the CPU lacks, or null. */
    public static String firstMissing(String... flags) {
        for (String f : flags) if (!FLAGS.contains(f)) return f;
        return null;
    }

    private static Set<String> read() {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            int at = info.indexOf("\nflags");
            if (at < 0) return Set.of();
            String line = info.substring(info.indexOf(':', at) + 1, info.indexOf('\n', at + 1));
            return new HashSet<>(Arrays.asList(line.trim().split("\\s+")));
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }
}
