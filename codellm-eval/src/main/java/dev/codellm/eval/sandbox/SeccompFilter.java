package dev.codellm.eval.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The classic-BPF seccomp program handed to bubblewrap ({@code --seccomp FD}): every system call
 * that lets a process inspect or take over another (ptrace, process_vm_*, kcmp), reach kernel
 * attack surface no test needs (bpf, perf_event_open, userfaultfd, io_uring, keyctl) or change
 * the sandbox itself (mount and the new mount API, unshare/setns, pivot_root, chroot, kexec,
 * modules, reboot, clock setting) fails with EPERM. Everything else is allowed, so compilers and
 * runtimes work unchanged.
 *
 * <p>Written by hand rather than with libseccomp: the program is 60-odd instructions, and a
 * build-time dependency on a C library for it would be the larger risk. The syscall numbers are
 * checked against the kernel headers by {@code SeccompFilterTest}. A call from a foreign ABI
 * (i386 {@code int 0x80} or x32 on x86_64) is denied outright, since its numbers differ.
 */
public final class SeccompFilter {
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    private static final int AUDIT_ARCH_AARCH64 = 0xC00000B7;
    private static final int X32_SYSCALL_BIT = 0x40000000;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int SECCOMP_RET_ERRNO = 0x00050000;
    private static final int EPERM = 1;
    // Classic BPF opcodes.
    private static final short LD_W_ABS = 0x20, JEQ_K = 0x15, JGE_K = 0x35, RET_K = 0x06;
    // Offsets in struct seccomp_data.
    private static final int OFF_NR = 0, OFF_ARCH = 4;

    /** Denied calls and their numbers on x86_64 (from asm/unistd_64.h). */
    static final Map<String, Integer> X86_64 = table(
            "ptrace", 101, "process_vm_readv", 310, "process_vm_writev", 311, "kcmp", 312,
            "perf_event_open", 298, "bpf", 321, "userfaultfd", 323,
            "keyctl", 250, "add_key", 248, "request_key", 249,
            "io_uring_setup", 425, "io_uring_enter", 426, "io_uring_register", 427,
            "mount", 165, "umount2", 166, "pivot_root", 155, "chroot", 161,
            "fsopen", 430, "fsconfig", 431, "fsmount", 432, "fspick", 433, "move_mount", 429, "open_tree", 428,
            "mount_setattr", 442, "unshare", 272, "setns", 308,
            "kexec_load", 246, "kexec_file_load", 320, "init_module", 175, "finit_module", 313, "delete_module", 176,
            "reboot", 169, "swapon", 167, "swapoff", 168, "acct", 163, "quotactl", 179, "syslog", 103,
            "open_by_handle_at", 304, "name_to_handle_at", 303, "lookup_dcookie", 212, "fanotify_init", 300,
            "settimeofday", 164, "clock_settime", 227, "adjtimex", 159, "vhangup", 153, "iopl", 172, "ioperm", 173);

    /** The same calls on aarch64 (asm-generic/unistd.h; no iopl/ioperm there). */
    static final Map<String, Integer> AARCH64 = table(
            "ptrace", 117, "process_vm_readv", 270, "process_vm_writev", 271, "kcmp", 272,
            "perf_event_open", 241, "bpf", 280, "userfaultfd", 282,
            "keyctl", 219, "add_key", 217, "request_key", 218,
            "io_uring_setup", 425, "io_uring_enter", 426, "io_uring_register", 427,
            "mount", 40, "umount2", 39, "pivot_root", 41, "chroot", 51,
            "fsopen", 430, "fsconfig", 431, "fsmount", 432, "fspick", 433, "move_mount", 429, "open_tree", 428,
            "mount_setattr", 442, "unshare", 97, "setns", 268,
            "kexec_load", 104, "kexec_file_load", 294, "init_module", 105, "finit_module", 273, "delete_module", 106,
            "reboot", 142, "swapon", 224, "swapoff", 225, "acct", 89, "quotactl", 60, "syslog", 116,
            "open_by_handle_at", 265, "name_to_handle_at", 264, "lookup_dcookie", 18, "fanotify_init", 262,
            "settimeofday", 170, "clock_settime", 112, "adjtimex", 171, "vhangup", 58);

    private SeccompFilter() {}

    /** The program for the JVM's architecture, or empty where we have no table (the sandbox then says so). */
    public static Optional<byte[]> forThisMachine() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> Optional.of(program(AUDIT_ARCH_X86_64, X86_64, true));
            case "aarch64" -> Optional.of(program(AUDIT_ARCH_AARCH64, AARCH64, false));
            default -> Optional.empty();
        };
    }

    /** The denied call names, for the report. */
    public static java.util.Set<String> deniedNames() {
        return X86_64.keySet();
    }

    static byte[] program(int arch, Map<String, Integer> denied, boolean x32Check) {
        int n = denied.size();
        // Layout: [0] ld arch, [1] jeq arch, [2] ld nr, ([3] jge x32), n x jeq nr, ret allow, ret eperm.
        int head = x32Check ? 4 : 3;
        int total = head + n + 2;
        int eperm = total - 1;
        ByteBuffer b = ByteBuffer.allocate(total * 8).order(ByteOrder.nativeOrder());
        ins(b, LD_W_ABS, 0, 0, OFF_ARCH);
        ins(b, JEQ_K, 0, eperm - 2, arch);             // foreign ABI: straight to EPERM
        ins(b, LD_W_ABS, 0, 0, OFF_NR);
        if (x32Check) ins(b, JGE_K, eperm - 4, 0, X32_SYSCALL_BIT);
        int pc = head;
        for (int nr : denied.values()) {
            ins(b, JEQ_K, eperm - pc - 1, 0, nr);
            pc++;
        }
        ins(b, RET_K, 0, 0, SECCOMP_RET_ALLOW);
        ins(b, RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM);
        return b.array();
    }

    private static void ins(ByteBuffer b, short code, int jt, int jf, int k) {
        if (jt > 255 || jf > 255) throw new IllegalStateException("BPF jump too far");
        b.putShort(code).put((byte) jt).put((byte) jf).putInt(k);
    }

    private static Map<String, Integer> table(Object... kv) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Integer) kv[i + 1]);
        return m;
    }
}
