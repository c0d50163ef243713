package dev.codellm.model.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.codellm.model.gguf.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code CODELLM_ISA} / {@code -Dcodellm.isa} really decide the kernels: in this JVM (when the suite
 * runs forced, e.g. {@code CODELLM_ISA=avx2 ./run-tests}, the variant it asks for must be the one
 * that runs, or refused with the reason and the automatic choice running) and in fresh JVMs given
 * each setting (the choice is made once, at class initialisation, so only a new JVM shows it).
 * The expected variant is worked out from the CPU flags and the built libraries, not from the
 * status line under test.
 */
class ForcedVariantTest {

    /** What this JVM was asked for: the property wins over the environment, as in NativeKernels. */
    private static String requested() {
        String isa = System.getProperty("codellm.isa", System.getenv("CODELLM_ISA"));
        return isa == null || isa.isBlank() ? null : isa.trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** The variant the automatic choice gives here: the best runnable one, or java when none is. */
    private static String automatic() {
        List<String> runnable = NativeKernels.runnableVariants();
        return runnable.isEmpty() ? "java" : runnable.get(0);
    }

    @Test
    void theVariantThisRunIsForcedToIsTheDefault() {
        String want = requested();
        assumeTrue(want != null, "no variant forced for this run (CODELLM_ISA unset)");
        assumeFalse("false".equals(System.getProperty("codellm.native")) || "0".equals(System.getenv("CODELLM_NATIVE")),
                "native switched off by codellm.native / CODELLM_NATIVE");
        NativeKernels.selectDefault();
        NativeKernels.setEnabled(NativeKernels.DEFAULT_ENABLED);
        String status = NativeKernels.status();
        if (want.equals("java")) {
            assertFalse(NativeKernels.DEFAULT_ENABLED, status);
            assertEquals("java", NativeKernels.isa(), status);
            assertTrue(NativeKernels.describe().startsWith("Java Vector API"), NativeKernels.describe());
        } else if (NativeKernels.runnableVariants().contains(want)) {
            assertEquals(want, NativeKernels.isa(), status);
            assertTrue(status.contains("forced by CODELLM_ISA"), status);
        } else {
            // a variant this CPU or build cannot run (amx without AMX, a name we do not build): refused, named, fallen back
            assertTrue(status.contains("CODELLM_ISA=" + want), status);
            assertEquals(automatic(), NativeKernels.isa(), status);
        }
        // The matmuls follow the choice: the default's result is bit-identical to the forced path's
        // own (selected by name), and every native variant runs on repacked weights (the Java path on ggml's layout).
        String running = NativeKernels.isa();
        MemorySegment w = KernelsTest.randomWeights(GgmlType.Q4_0, 40, 512, 5);
        float[] x = KernelsTest.randomVector(3 * 512, 6);
        float[] byDefault = new float[3 * 40], bySelect = new float[3 * 40];
        try (Parallel par = new Parallel(2)) {
            WeightMatrix m = new WeightMatrix("w", w, WeightFormat.forGgmlId(GgmlType.Q4_0.id()), 40, 512);
            assertEquals(!running.equals("java"), m.packed(par) != null, running + ": " + status);
            m.matmul(x, byDefault, 3, par);
            NativeKernels.select(running);
            new WeightMatrix("w", w, WeightFormat.forGgmlId(GgmlType.Q4_0.id()), 40, 512).matmul(x, bySelect, 3, par);
        } finally {
            NativeKernels.selectDefault();
            NativeKernels.setEnabled(NativeKernels.DEFAULT_ENABLED);
        }
        assertArrayEquals(bySelect, byDefault, running);
    }

    @Test
    void amxRefusedByLinuxFallsBackToAvx512WithTheReason() throws Exception {
        assumeTrue(CpuFeatures.has(NativeVariant.named("amx").cpuFlags) && NativeVariant.named("amx").built(),
                "no AMX on this CPU or no amx library in this build");
        // this JVM is granted the tile state, so a refusal in the child comes from the hook alone
        assumeTrue(NativeKernels.runnableVariants().containsAll(List.of("amx", "avx512")), NativeKernels.status());
        String reason = "Linux refused the AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM, XTILEDATA): errno 1";
        String auto = childIsa(List.of("-D" + NativeVariant.AMX_REFUSE_PROPERTY + "=1"), null);
        assertTrue(auto.startsWith("avx512 avx512 chosen from the CPU flags"), auto);
        assertTrue(auto.contains("amx: " + reason), auto);
        String forced = childIsa(List.of("-D" + NativeVariant.AMX_REFUSE_PROPERTY + "=1"), "amx");
        assertTrue(forced.startsWith("avx512 avx512 chosen from the CPU flags"), forced);
        assertTrue(forced.contains("CODELLM_ISA=amx refused: " + reason), forced);
    }

    @Test
    void eachSettingReachesAFreshJvmThroughEnvironmentAndProperty() throws Exception {
        List<String> settings = new ArrayList<>(List.of("java", "avx2", "avx512", "amx", "sse2"));
        for (String isa : settings) {
            String expect = isa.equals("java") ? "java"
                    : NativeKernels.runnableVariants().contains(isa) ? isa : automatic();
            String byEnv = childIsa(List.of(), isa);
            assertTrue(byEnv.startsWith(expect + " "), "CODELLM_ISA=" + isa + " -> " + byEnv);
            String byProperty = childIsa(List.of("-Dcodellm.isa=" + isa), null);
            assertTrue(byProperty.startsWith(expect + " "), "-Dcodellm.isa=" + isa + " -> " + byProperty);
            if (!isa.equals("java") && !expect.equals(isa)) {
                assertTrue(byEnv.contains("CODELLM_ISA=" + isa), "the refusal names the request: " + byEnv);
            }
        }
        // the property wins over the environment (one JVM, both set)
        String both = childIsa(List.of("-Dcodellm.isa=java"), "avx2");
        assertTrue(both.startsWith("java "), both);
    }

    /** Runs {@link Probe} in a new JVM with the given flags and CODELLM_ISA (null: unset); returns its line. */
    private static String childIsa(List<String> jvmFlags, String env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx256m"));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("CODELLM_ISA");
        pb.environment().remove("CODELLM_NATIVE");
        if (env != null) pb.environment().put("CODELLM_ISA", env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("probe JVM did not finish in 60 s: " + cmd);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** Child JVM entry: prints the kernels that run and why, on one line. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println(NativeKernels.isa() + " " + NativeKernels.status());
        }
    }
}
