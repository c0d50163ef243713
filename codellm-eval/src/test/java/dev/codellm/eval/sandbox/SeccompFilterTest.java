package dev.codellm.eval.sandbox;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written syscall tables against the kernel's own headers, and the program's jumps. */
class SeccompFilterTest {
    private static final Pattern DEFINE = Pattern.compile("^#define __NR(?:3264)?_(\\w+)\\s+(\\d+)", Pattern.MULTILINE);

    private static Map<String, Integer> header(String path) throws IOException {
        Path h = Path.of(path);
        assertTrue(Files.isRegularFile(h), path + " missing: linux-libc-dev comes with gcc, which the build needs");
        Map<String, Integer> m = new HashMap<>();
        Matcher mt = DEFINE.matcher(Files.readString(h));
        while (mt.find()) m.putIfAbsent(mt.group(1), Integer.parseInt(mt.group(2)));
        return m;
    }

    @Test
    void x86_64NumbersAreTheKernels() throws IOException {
        Map<String, Integer> h = header("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
        SeccompFilter.X86_64.forEach((name, nr) -> assertEquals(h.get(name), nr, name));
    }

    @Test
    void aarch64NumbersAreTheKernels() throws IOException {
        Map<String, Integer> h = header("/usr/include/asm-generic/unistd.h");
        SeccompFilter.AARCH64.forEach((name, nr) -> assertEquals(h.get(name), nr, name));
        assertEquals(SeccompFilter.X86_64.keySet().stream().filter(n -> !n.startsWith("io")).toList().size(),
                SeccompFilter.AARCH64.size() - 3, "the same calls on both, less iopl/ioperm");
    }

    /** Interprets the program the way the kernel does, for a few calls. */
    @Test
    void programDeniesTheListedCallsAndForeignAbisAndAllowsTheRest() {
        byte[] prog = SeccompFilter.program(0xC000003E, SeccompFilter.X86_64, true);
        int eperm = 0x00050001, allow = 0x7fff0000;
        assertEquals(eperm, run(prog, 0xC000003E, 101));   // ptrace
        assertEquals(eperm, run(prog, 0xC000003E, 165));   // mount
        assertEquals(eperm, run(prog, 0xC000003E, 321));   // bpf
        assertEquals(allow, run(prog, 0xC000003E, 0));     // read
        assertEquals(allow, run(prog, 0xC000003E, 57));    // fork
        assertEquals(eperm, run(prog, 0x40000003, 20));    // i386 ABI
        assertEquals(eperm, run(prog, 0xC000003E, 0x40000000 + 101)); // x32 ptrace
    }

    private static int run(byte[] prog, int arch, int nr) {
        ByteBuffer b = ByteBuffer.wrap(prog).order(ByteOrder.nativeOrder());
        int a = 0;
        for (int pc = 0; ; pc++) {
            short code = b.getShort(pc * 8);
            int jt = b.get(pc * 8 + 2) & 0xff, jf = b.get(pc * 8 + 3) & 0xff, k = b.getInt(pc * 8 + 4);
            switch (code) {
                case 0x20 -> a = k == 4 ? arch : k == 0 ? nr : fail(k);
                case 0x15 -> pc += a == k ? jt : jf;
                case 0x35 -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;
                case 0x06 -> { return k; }
                default -> fail(code);
            }
        }
    }

    private static int fail(int what) {
        throw new AssertionError("unexpected " + what);
    }
}
