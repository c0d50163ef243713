package dev.codellm.eval.sandbox;

import dev.codellm.core.CodellmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox: bubblewrap with every namespace unshared (network, PID, IPC, UTS, user, cgroup),
 * the system directories ({@code /usr}, {@code /etc}, and the {@code /bin}-style links)
 * read-only, nothing else of the host visible (no {@code /home}, {@code /root}, {@code /work},
 * host {@code /tmp}), a fresh {@code /proc}, a minimal {@code /dev}, a size-limited tmpfs at
 * {@code /tmp} and the run's private working directory at {@code /tmp/w}.
 *
 * <p>Order of the launch, each step before the next starts so that nothing escapes a limit:
 * a shell joins the run's cgroup leaf ({@link CgroupLeaf}: memory, pids and CPU of the whole
 * run, where the machine allows) and opens the seccomp program ({@link SeccompFilter}) as fd 9;
 * {@code prlimit} sets CPU, address-space, process and file-size rlimits; {@code setpriv} (as
 * root) drops to an unprivileged uid; {@code bwrap --seccomp 9} builds the namespaces. Every
 * process of the run, bubblewrap's own init (PID 1 inside) included, thus has the rlimits and is
 * in the cgroup, and the program runs under the seccomp filter (no ptrace, so it cannot take
 * over that init either).
 *
 * <p>When the JVM runs as root (as in this project's containers), bubblewrap is started through
 * {@code setpriv} under an unprivileged uid ({@code uidBase + slot}, one per concurrent run):
 * the kernel does not enforce RLIMIT_NPROC for root, so without this a fork bomb would not be
 * stopped. As a normal user, bubblewrap's own user namespace is used.
 *
 * <p>The writable working directory is a tmpfs of {@link Limits#workDirBytes()} mounted on the
 * host (as root), so a sample cannot fill the host disk and {@code /proc/self/mountinfo} inside
 * shows no host path; without root it is a host directory (the report says so).
 *
 * <p>Cleanup: the program is PID 2+ of a PID namespace whose init dies with the bwrap process
 * ({@code --die-with-parent}); on timeout the JVM kills the bwrap process and every descendant it
 * can see, the cgroup's members are killed, and the kernel kills whatever remains in the
 * namespace. The working directory is unmounted and deleted (without following links) after the
 * run; those a killed JVM left behind are removed when the next sandbox is created.
 */
public final class BwrapSandbox implements Sandbox {
    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final Path MOUNT = Path.of("/usr/bin/mount"), UMOUNT = Path.of("/usr/bin/umount");
    /** Where the working directory appears inside the sandbox. */
    public static final String WORKDIR = "/tmp/w";
    private static final String DIR_PREFIX = "codellm-sbx-";
    /** Joins the cgroup leaf, opens the filter as fd 9, then becomes the rest of the command line. */
    private static final String LAUNCHER = "unset PWD OLDPWD; f=$1; shift; while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; exec \"$@\" 9< \"$f\"";

    private final List<Path> extraReadOnly;
    private final int uidBase;
    private final boolean root;
    private final BlockingQueue<Integer> slots;
    private final long tmpfsBytes;
    private final byte[] seccomp;
    private final CgroupLeaf.Support cgroups;
    private final boolean tmpfsWorkDir;
    private final java.util.concurrent.atomic.AtomicLong serial = new java.util.concurrent.atomic.AtomicLong();
    private final String version;

    /**
     * @param extraReadOnly more host paths to show read-only (e.g. a toolchain under /opt); missing ones are skipped
     * @param uidBase       first unprivileged uid used when running as root
     * @param maxConcurrent how many runs may be in flight at once (one uid each)
     */
    public BwrapSandbox(List<Path> extraReadOnly, int uidBase, int maxConcurrent) {
        for (Path tool : List.of(BWRAP, PRLIMIT)) {
            if (!Files.isExecutable(tool)) {
                throw new CodellmException("SANDBOX UNAVAILABLE: " + tool + " not found; install bubblewrap and util-linux "
                        + "(scripts/packages/eval.txt). Refusing to run untrusted code without a sandbox.");
            }
        }
        this.extraReadOnly = List.copyOf(extraReadOnly);
        this.uidBase = uidBase;
        this.root = currentUid() == 0;
        if (root && !Files.isExecutable(SETPRIV)) throw new CodellmException("SANDBOX UNAVAILABLE: " + SETPRIV + " not found (util-linux)");
        this.slots = new ArrayBlockingQueue<>(maxConcurrent);
        for (int i = 0; i < maxConcurrent; i++) slots.add(i);
        this.tmpfsBytes = 256 * Limits.MIB;
        this.seccomp = SeccompFilter.forThisMachine().orElse(null);
        this.cgroups = CgroupLeaf.detect();
        this.tmpfsWorkDir = root && Files.isExecutable(MOUNT) && Files.isExecutable(UMOUNT);
        removeStaleDirs(Path.of(System.getProperty("java.io.tmpdir")));
        this.version = probe();
    }

    /** Default: no extra paths, uids from 61000, up to 64 concurrent runs. */
    public static BwrapSandbox create() {
        return new BwrapSandbox(List.of(), 61000, 64);
    }

    @Override
    public String describe() {
        return version + (root ? " as uid " + uidBase + "+ via setpriv" : " in a user namespace")
                + ", no network, read-only system, private /tmp, rlimits cpu/as/nproc/fsize on every process"
                + (seccomp != null ? ", seccomp (" + SeccompFilter.deniedNames().size() + " calls denied: ptrace, mount, bpf, ...)"
                        : ", NO seccomp filter (no syscall table for " + System.getProperty("os.arch") + ")")
                + (cgroups.available() ? ", " + cgroups.why() + " leaf per run (memory, pids, cpu of the whole run)"
                        : ", NO cgroup (" + cgroups.why() + "): only per-process rlimits bound memory and processes")
                + (tmpfsWorkDir ? ", work dir on a size-limited tmpfs" : ", work dir on the host disk (not root: no tmpfs mount)");
    }

    /** Whether runs get their own cgroup (false: only rlimits apply). */
    public boolean hasCgroups() { return cgroups.available(); }

    /** Runs {@code bwrap --version} and a trivial sandboxed command so a broken setup fails loudly up front. */
    private String probe() {
        String v;
        try {
            Process p = new ProcessBuilder(BWRAP.toString(), "--version").redirectErrorStream(true).start();
            v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
        } catch (IOException e) {
            throw new CodellmException("SANDBOX UNAVAILABLE: cannot start bwrap: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("interrupted while probing the sandbox");
        }
        RunResult r = run(RunRequest.of(List.of("/bin/true"), Limits.DEFAULT.withWallTimeout(java.time.Duration.ofSeconds(20))));
        if (!r.ok()) {
            throw new CodellmException("SANDBOX UNAVAILABLE: bubblewrap cannot start a sandbox here (exit " + r.exitCode()
                    + "): " + r.stderr().strip().replace('\n', ' ') + ". User namespaces may be disabled "
                    + "(sysctl kernel.unprivileged_userns_clone / AppArmor). Refusing to run untrusted code unsandboxed.");
        }
        return v;
    }

    @Override
    public RunResult run(RunRequest req) {
        int slot;
        try {
            slot = slots.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("interrupted while waiting for a sandbox slot");
        }
        Path runDir = null;
        Path work = null;
        boolean mounted = false;
        try {
            // The owner's pid in the name: a later start removes the directories of a JVM that was killed.
            runDir = Files.createTempDirectory(DIR_PREFIX + ProcessHandle.current().pid() + "-");
            // Traversable (not listable) so the unprivileged uid can reach the work dir bwrap binds.
            Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwx--x--x"));
            work = runDir.resolve("w");
            Files.createDirectory(work);
            if (tmpfsWorkDir) mounted = mountTmpfs(work, req.limits().workDirBytes());
            // The sandboxed uid differs from ours: the work dir must be writable by it.
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
            for (Map.Entry<String, byte[]> f : req.files().entrySet()) {
                Path target = work.resolve(f.getKey());
                for (Path d = target.getParent(); !d.equals(work); d = d.getParent()) {
                    if (!Files.isDirectory(d)) {
                        Files.createDirectories(d);
                        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
                    }
                }
                Files.write(target, f.getValue());
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
            }
            Path stdin = runDir.resolve("stdin"), stdout = runDir.resolve("stdout"), stderr = runDir.resolve("stderr");
            Files.write(stdin, req.stdin());
            Path filter = runDir.resolve("seccomp.bpf");
            Files.write(filter, seccomp != null ? seccomp : new byte[0]);
            java.util.Optional<CgroupLeaf> leaf = cgroups.available()
                    ? cgroups.create(CgroupLeaf.leafName(slot, serial.incrementAndGet()), req.limits()) : java.util.Optional.empty();
            try {
                RunResult r = execute(req, slot, work, stdin, stdout, stderr, filter, leaf.orElse(null));
                // The process limit now holds for bubblewrap too: processes of the slot's previous run
                // that the kernel has not finished reaping count, and bwrap's first fork can fail. Retry.
                for (int retry = 0; retry < 10 && r.exitCode() == 1 && r.stderr().startsWith("bwrap: Can't fork"); retry++) {
                    sleepQuietly(100L * (retry + 1));
                    r = execute(req, slot, work, stdin, stdout, stderr, filter, leaf.orElse(null));
                }
                return r;
            } finally {
                leaf.ifPresent(CgroupLeaf::close);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox setup failed: " + e.getMessage(), e);
        } finally {
            if (mounted) unmount(work);
            if (runDir != null) deleteTree(runDir);
            slots.add(slot);
        }
    }

    private RunResult execute(RunRequest req, int slot, Path work, Path stdin, Path stdout, Path stderr, Path filter, CgroupLeaf leaf)
            throws IOException {
        Limits lim = req.limits();
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", LAUNCHER, "sh", filter.toString()));
        if (leaf != null) for (Path procs : leaf.procsFiles()) cmd.add(procs.toString());
        cmd.add("--");
        cmd.addAll(List.of(PRLIMIT.toString(),
                "--cpu=" + lim.cpuSeconds(), "--as=" + lim.addressSpaceBytes(), "--nproc=" + lim.maxProcesses(),
                "--fsize=" + lim.maxFileBytes(), "--core=0", "--"));
        if (root) {
            int uid = uidBase + slot;
            cmd.addAll(List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--"));
        }
        cmd.addAll(List.of(BWRAP.toString(),
                "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                "--hostname", "sandbox"));
        if (seccomp != null) cmd.addAll(List.of("--seccomp", "9"));
        for (String sys : List.of("/usr", "/etc")) cmd.addAll(List.of("--ro-bind", sys, sys));
        for (String link : List.of("/bin", "/sbin", "/lib", "/lib64", "/lib32")) {
            Path p = Path.of(link);
            if (Files.isSymbolicLink(p)) cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), link));
            else if (Files.isDirectory(p)) cmd.addAll(List.of("--ro-bind", link, link));
        }
        for (Path extra : extraReadOnly) cmd.addAll(List.of("--ro-bind-try", extra.toString(), extra.toString()));
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev",
                "--size", Long.toString(tmpfsBytes), "--tmpfs", "/tmp",
                "--bind", work.toString(), WORKDIR, "--chdir", WORKDIR, "--"));
        cmd.addAll(req.argv());

        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(work.getParent().toFile())
                .redirectInput(stdin.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", WORKDIR);
        env.put("TMPDIR", "/tmp");
        env.put("LANG", "C.UTF-8");
        env.putAll(req.env());

        long start = System.nanoTime();
        Process p = pb.start();
        boolean timedOut = false;
        int exit;
        try {
            if (!p.waitFor(lim.wallTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                killTree(p);
            }
            p.waitFor(10, TimeUnit.SECONDS);
            exit = p.isAlive() ? -1 : p.exitValue();
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            throw new CodellmException("interrupted while running a sandboxed program");
        }
        long wallMillis = (System.nanoTime() - start) / 1_000_000;
        String out = readBounded(stdout, lim.maxOutputBytes());
        String err = readBounded(stderr, lim.maxOutputBytes());
        Map<String, byte[]> collected = new LinkedHashMap<>();
        for (String name : req.collect()) {
            Path f = work.resolve(name);
            // Only plain files really inside the work dir: sandboxed code may plant symlinks to host files.
            if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && !hasLinkedParent(f, work)) {
                collected.put(name, readBoundedBytes(f, Math.max(lim.maxFileBytes(), lim.maxOutputBytes())));
            }
        }
        String hit = timedOut ? "wall" : limitHit(exit, leaf);
        // Python ignores SIGXFSZ (the write fails with EFBIG instead): an output file at the limit says it.
        if (hit == null && exit != 0 && Math.max(Files.size(stdout), Files.size(stderr)) >= lim.maxFileBytes()) hit = "file-size";
        return new RunResult(timedOut ? -1 : exit, out, err, timedOut, wallMillis, collected, hit);
    }

    /** What the host can tell about the limit that stopped a run: cgroup events first, then the fatal signal. */
    private static String limitHit(int exit, CgroupLeaf leaf) {
        if (leaf != null && leaf.memoryLimitHit()) return "memory";
        if (leaf != null && leaf.processLimitHit()) return "processes";
        return switch (exit) {
            case 128 + 24 -> "cpu";        // SIGXCPU
            case 128 + 25 -> "file-size";  // SIGXFSZ
            default -> null;
        };
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean mountTmpfs(Path dir, long bytes) {
        try {
            Process p = new ProcessBuilder(MOUNT.toString(), "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0777,nosuid,nodev",
                    "codellm-sandbox", dir.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void unmount(Path dir) {
        try {
            // Lazy: a process of the run that has not been reaped yet must not keep the mount alive.
            Process p = new ProcessBuilder(UMOUNT.toString(), "-l", dir.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.err.println("codellm: warning: could not unmount sandbox dir " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Removes sandbox directories (and their tmpfs mounts) whose JVM is gone: what a kill -9 left. */
    static int removeStaleDirs(Path tmp) {
        int removed = 0;
        List<String> mounts = List.of();
        try {
            mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            // no mount table: nothing to unmount
        }
        try (var entries = Files.list(tmp)) {
            for (Path d : entries.toList()) {
                String name = d.getFileName().toString();
                if (!name.startsWith(DIR_PREFIX) || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) continue;
                String[] f = name.substring(DIR_PREFIX.length()).split("-");
                long pid;
                try {
                    pid = Long.parseLong(f[0]);
                } catch (NumberFormatException e) {
                    continue; // not in our naming: not ours to judge
                }
                if (f.length < 2 || ProcessHandle.of(pid).isPresent()) continue;
                Path w = d.resolve("w");
                String needle = " " + w.toAbsolutePath() + " ";
                if (mounts.stream().anyMatch(l -> l.contains(needle))) unmount(w);
                deleteTree(d);
                removed++;
            }
        } catch (IOException e) {
            // unreadable temp dir: nothing to clean
        }
        return removed;
    }

    private static boolean hasLinkedParent(Path f, Path work) {
        for (Path d = f.getParent(); d != null && !d.equals(work); d = d.getParent()) {
            if (Files.isSymbolicLink(d)) return true;
        }
        return false;
    }

    private static void killTree(Process p) {
        // Children first so none is re-parented and missed; the PID namespace takes the rest.
        java.util.List<ProcessHandle> tree = new java.util.ArrayList<>(p.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        tree.add(p.toHandle());
        // SIGKILL is asynchronous: on a loaded host a killed child can still be running when run()
        // returns. Wait (bounded) until every process of the tree has really ended, so a finished
        // run leaves nothing running.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : tree) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            try {
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // still alive after the bound: the PID namespace's teardown takes it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String readBounded(Path f, int max) throws IOException {
        return new String(readBoundedBytes(f, max), StandardCharsets.UTF_8);
    }

    private static byte[] readBoundedBytes(Path f, long max) throws IOException {
        if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) return new byte[0];
        try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max));
        }
    }

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("codellm: warning: could not delete sandbox dir " + dir + ": " + e.getMessage());
        }
    }

    private static int currentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "root".equals(System.getProperty("user.name")) ? 0 : 1000;
    }
}
