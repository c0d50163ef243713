package dev.codellm.eval.sandbox;

import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Pids;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * a bash starts the collection relays, then a subshell joins the run's cgroup leaf ({@link CgroupLeaf}: memory,
 * pids and CPU of the whole run, where the machine allows) and opens the seccomp program ({@link SeccompFilter}) as fd 9;
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
 * <p>The writable working directory is bubblewrap's own {@code --size N --tmpfs /tmp/w}: a tmpfs of
 * {@link Limits#workDirBytes()} inside the sandbox's mount namespace, so nothing of the run is on
 * the host disk and {@code /proc/self/mountinfo} inside names no host path. No host directory is
 * bound: the request's files go in as one tar stream on fd 3 that a wrapper shell inside (PID 1,
 * {@code --as-pid-1}, so the program cannot kill it) unpacks before the program starts, and the
 * files to collect come back, after the program has ended, on fds 4..8, one each: pipes whose
 * readers, outside the sandbox, copy them into files of the host run directory (which the sandbox
 * cannot see). stdin, stdout and stderr are pipes of the JVM ({@link OutputDrain} reads the two
 * outputs at once, to their caps), so no descriptor inside names a host path
 * ({@code /proc/<pid>/fd} of every process there shows pipes, /dev/null and sandbox paths). That is one path for root and for a
 * normal user: an unprivileged bubblewrap can size its tmpfs (bubblewrap 0.5+), so a host mount
 * (root only) is not needed. The collection channel gives a sample no power it lacks anyway: a
 * collected file's content is whatever the sample left in the work dir.
 *
 * <p>Cleanup: the program is PID 2+ of a PID namespace whose init dies with the bwrap process
 * ({@code --die-with-parent}); on timeout the JVM kills the bwrap process and every descendant it
 * can see, the cgroup's members are killed, and the kernel kills whatever remains in the
 * namespace. The work dir ends with the sandbox's mount namespace; the host run directory (fds'
 * files: inputs, filter, collected files) is deleted without following links after the run,
 * and those a killed JVM left behind are removed when the next sandbox is created.
 */
public final class BwrapSandbox implements Sandbox {
    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static final Path BASH = Path.of("/bin/bash");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    /** Only for directories left by versions that mounted the work dir on the host (as root). */
    private static final Path UMOUNT = Path.of("/usr/bin/umount");
    /** Where the working directory appears inside the sandbox. */
    public static final String WORKDIR = "/tmp/w";
    /**
     * The wrapper's {@code $0}, so {@code /proc/1/cmdline} inside is {@code /bin/sh -c WRAPPER
     * codellm-sandbox-init ...}: how a trusted harness (ds1000_harness.py) knows it is in this
     * sandbox's PID namespace, where killing every other process kills only the run's. Never true
     * on a host, whose PID 1 is its own init.
     */
    public static final String INIT_NAME = "codellm-sandbox-init";
    private static final String DIR_PREFIX = "codellm-sbx-";
    /**
     * On the host (bash: process substitution gives anonymous pipes): makes fds 4.. (one per
     * collected file) the write ends of pipes whose readers, {@code cat} processes of the host
     * (outside the sandbox's PID namespace, so nothing inside sees them), copy into the run
     * directory's files; then, in a subshell that joins the cgroup leaf (the relays stay out of it
     * and of its process count), becomes the rest of the command line with the filter as fd 9 and
     * the input archive as fd 3; waits for the relays to have written everything and exits with
     * the command's status. Arguments: filter, archive, count of collection files, those files,
     * the cgroup procs files, {@code --}, the command. No fd the sandbox keeps names a host path:
     * stdin/stdout/stderr are the JVM's pipes, 4.. pipes, and the wrapper closes 3 and 9 before
     * the program starts.
     */
    private static final String LAUNCHER = "unset PWD OLDPWD SHLVL; f=$1; a=$2; k=$3; shift 3; r=(); i=4; "
            + "while [ $i -lt $((k + 4)) ]; do eval \"exec $i> >(exec /bin/cat > \\\"\\$1\\\" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-)\" || exit 125; "
            + "r+=($!); shift; i=$((i + 1)); done; "
            + "( while [ \"$1\" != -- ]; do echo $BASHPID > \"$1\" || exit 125; shift; done; shift; exec \"$@\" ) 9< \"$f\" 3< \"$a\"; "
            + "rc=$?; exec 4>&- 5>&- 6>&- 7>&- 8>&-; wait \"${r[@]}\"; exit $rc";
    /**
     * Inside the sandbox, as PID 1: unpacks the input archive (fd 3) into the work dir, starts the
     * program with fds 3..9 closed (9: the filter's, still open when there is no filter), then
     * points its own stdin/stdout/stderr at /dev/null and closes 3 and 9 while it waits, so that
     * {@code /proc/1/fd} offers no way to the run's standard streams: the wrapper has the
     * launching uid and is dumpable, so a program that gave its own stdout away (the DS-1000
     * harness does for each problem's child) could otherwise write to it through PID 1 (it did
     * when stdout was a host file of that uid, a normal user's JVM; a pipe is as open). The program runs in the
     * background for that (sh cannot drop a descriptor after a foreground fork); {@code env
     * --default-signal} undoes sh's SIG_IGN of SIGINT/SIGQUIT for background jobs, and
     * stdin is passed explicitly (sh gives a background job /dev/null). The streams are dropped
     * right after the fork: a harness that hides them forks untrusted children only later.
     * When the program has ended, the wrapper writes each collected file that is a plain file
     * (not a link) to its fd, after an {@code F} that tells present-and-empty from absent, and
     * exits with the program's status. Arguments: count of collected names, those names, the command.
     */
    private static final String WRAPPER = "k=$1; shift; i=0; while [ $i -lt $k ]; do eval \"c$i=\\$1\"; shift; i=$((i+1)); done; "
            + "/usr/bin/tar -x -f - --no-same-owner --no-same-permissions <&3 3<&- "
            + "|| { echo 'codellm sandbox: cannot unpack the input files' >&2; exit 125; }; "
            + "exec 3<&0 0</dev/null; "
            + "/usr/bin/env --default-signal=INT,QUIT \"$@\" 0<&3 3<&- 4>&- 5>&- 6>&- 7>&- 8>&- 9<&- & "
            + "exec 1>/dev/null 2>&1 3<&- 9<&-; wait $!; rc=$?; i=0; "
            + "while [ $i -lt $k ]; do eval \"n=\\$c$i\"; "
            + "if [ -f \"$n\" ] && [ ! -h \"$n\" ]; then { printf F; cat -- \"$n\"; } >&$((i+4)); fi; i=$((i+1)); done; exit $rc";

    private final List<Path> extraReadOnly;
    private final int uidBase;
    private final boolean root;
    private final BlockingQueue<Integer> slots;
    private final long tmpfsBytes;
    private final byte[] seccomp;
    private final CgroupLeaf.Support cgroups;
    /** When the JVM is root: run the whole launch as this uid, as a JVM of that user would (-1: no). */
    private final int runAs;
    private final java.util.concurrent.atomic.AtomicLong serial = new java.util.concurrent.atomic.AtomicLong();
    private final String version;

    /**
     * @param extraReadOnly more host paths to show read-only (e.g. a toolchain under /opt); missing ones are skipped
     * @param uidBase       first unprivileged uid used when running as root
     * @param maxConcurrent how many runs may be in flight at once (one uid each)
     */
    public BwrapSandbox(List<Path> extraReadOnly, int uidBase, int maxConcurrent) {
        this(extraReadOnly, uidBase, maxConcurrent, -1);
    }

    private BwrapSandbox(List<Path> extraReadOnly, int uidBase, int maxConcurrent, int runAs) {
        for (Path tool : List.of(BWRAP, PRLIMIT, BASH)) {
            if (!Files.isExecutable(tool)) {
                throw new CodellmException("SANDBOX UNAVAILABLE: " + tool + " not found; install bubblewrap and util-linux "
                        + "(scripts/packages/eval.txt). Refusing to run untrusted code without a sandbox.");
            }
        }
        this.extraReadOnly = List.copyOf(extraReadOnly);
        this.uidBase = uidBase;
        boolean jvmIsRoot = currentUid() == 0;
        this.runAs = jvmIsRoot ? runAs : -1;
        // A JVM running as root launches through setpriv (per-slot uids); as runAs it is a normal user's.
        this.root = jvmIsRoot && runAs < 0;
        if (jvmIsRoot && !Files.isExecutable(SETPRIV)) throw new CodellmException("SANDBOX UNAVAILABLE: " + SETPRIV + " not found (util-linux)");
        this.slots = new ArrayBlockingQueue<>(maxConcurrent);
        for (int i = 0; i < maxConcurrent; i++) slots.add(i);
        this.tmpfsBytes = 256 * Limits.MIB;
        this.seccomp = SeccompFilter.forThisMachine().orElse(null);
        // A normal user's JVM has no cgroup it may write unless delegated: the test of that path has none.
        this.cgroups = this.runAs >= 0
                ? CgroupLeaf.Support.none("none made as uid " + this.runAs)
                : CgroupLeaf.detect();
        removeStaleDirs(Path.of(System.getProperty("java.io.tmpdir")));
        this.version = probe();
    }

    /**
     * A sandbox that launches as a normal user (uid {@code uid}) would, for tests of the unprivileged
     * path on a machine (CI) where the JVM is root: every process of the launch, from the first
     * shell on, runs as that uid, and the run directories are given to it. Not root: as create().
     */
    static BwrapSandbox asUnprivilegedUser(int uid) {
        return asUnprivilegedUser(uid, 64);
    }

    private static BwrapSandbox asUnprivilegedUser(int uid, int maxConcurrent) {
        return new BwrapSandbox(List.of(), 61000, maxConcurrent, uid);
    }

    /** System property: as root, launch every run as this uid, as a normal user's JVM would (CI tests that path). */
    public static final String RUN_AS_PROPERTY = "codellm.sandbox.runAsUid";

    /**
     * Default: no extra paths, uids from 61000, up to 64 concurrent runs; with
     * {@value #RUN_AS_PROPERTY} set (and the JVM root), the unprivileged launch of that uid.
     */
    public static BwrapSandbox create() {
        return create(64);
    }

    /** As {@link #create()}, with at most {@code maxConcurrent} runs in flight (as root: one uid each). */
    public static BwrapSandbox create(int maxConcurrent) {
        String runAs = System.getProperty(RUN_AS_PROPERTY, "").strip();
        if (runAs.isEmpty()) return new BwrapSandbox(List.of(), 61000, maxConcurrent);
        try {
            return asUnprivilegedUser(Integer.parseInt(runAs), maxConcurrent);
        } catch (NumberFormatException e) {
            throw new CodellmException(RUN_AS_PROPERTY + " must be a uid, got: " + runAs);
        }
    }

    @Override
    public String describe() {
        return version + (root ? " as uid " + uidBase + "+ via setpriv" : " in a user namespace" + (runAs >= 0 ? " as uid " + runAs : ""))
                + ", no network, read-only system, private /tmp, rlimits cpu/as/nproc/fsize on every process"
                + (seccomp != null ? ", seccomp (" + SeccompFilter.deniedNames().size() + " calls denied: ptrace, mount, bpf, ...)"
                        : ", NO seccomp filter (no syscall table for " + System.getProperty("os.arch") + ")")
                + (cgroups.available() ? ", " + cgroups.why() + " leaf per run (" + String.join(", ", cgroups.controllers()) + " of the whole run)"
                        : ", NO cgroup (" + cgroups.why() + "): only per-process rlimits bound memory and processes")
                + ", work dir on a size-limited tmpfs inside the sandbox (nothing on the host disk)";
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
        try {
            // The owner's pid in the name: a later start removes the directories of a JVM that was killed.
            // Private: nothing in it is reached from inside the sandbox by path, only through fds.
            runDir = Files.createTempDirectory(DIR_PREFIX + ProcessHandle.current().pid() + "-");
            Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwx------"));
            Path inputs = runDir.resolve("inputs.tar");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(inputs))) {
                InputArchive.write(req.files(), out);
            }
            List<Path> collected = new ArrayList<>();
            for (int i = 0; i < req.collect().size(); i++) collected.add(Files.createFile(runDir.resolve("collect-" + i)));
            Path filter = runDir.resolve("seccomp.bpf");
            Files.write(filter, seccomp != null ? seccomp : new byte[0]);
            if (runAs >= 0) giveTo(runDir, runAs);
            RunFiles files = new RunFiles(runDir, inputs, collected, filter);
            java.util.Optional<CgroupLeaf> leaf = cgroups.available()
                    ? cgroups.create(CgroupLeaf.leafName(slot, serial.incrementAndGet()), req.limits()) : java.util.Optional.empty();
            try {
                RunResult r = execute(req, slot, files, leaf.orElse(null));
                // The process limit now holds for bubblewrap too: processes of the slot's previous run
                // that the kernel has not finished reaping count, and bwrap's first fork can fail. Retry.
                for (int retry = 0; retry < 10 && r.exitCode() == 1 && r.stderr().startsWith("bwrap: Can't fork"); retry++) {
                    sleepQuietly(100L * (retry + 1));
                    r = execute(req, slot, files, leaf.orElse(null));
                }
                return r;
            } finally {
                leaf.ifPresent(CgroupLeaf::close);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox setup failed: " + e.getMessage(), e);
        } finally {
            if (runDir != null) deleteTree(runDir);
            slots.add(slot);
        }
    }

    /**
     * The host side of one run: its private directory and the files the launch opens (stdin,
     * stdout and stderr are pipes of the JVM, not files: a link in /proc/PID/fd inside names no host path).
     */
    private record RunFiles(Path dir, Path inputs, List<Path> collected, Path filter) {}

    private RunResult execute(RunRequest req, int slot, RunFiles files, CgroupLeaf leaf) throws IOException {
        Limits lim = req.limits();
        List<String> cmd = new ArrayList<>();
        if (runAs >= 0) cmd.addAll(List.of(SETPRIV.toString(), "--reuid=" + runAs, "--regid=" + runAs, "--clear-groups", "--"));
        cmd.addAll(List.of(BASH.toString(), "-c", LAUNCHER, "bash", files.filter().toString(), files.inputs().toString(),
                Integer.toString(files.collected().size())));
        for (Path c : files.collected()) cmd.add(c.toString());
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
                "--as-pid-1", "--hostname", "sandbox"));
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
                "--size", Long.toString(lim.workDirBytes()), "--tmpfs", WORKDIR, "--chdir", WORKDIR,
                "--", "/bin/sh", "-c", WRAPPER, INIT_NAME, Integer.toString(req.collect().size())));
        cmd.addAll(req.collect());
        cmd.addAll(req.argv());

        // stdin, stdout and stderr are pipes (ProcessBuilder's default), read and written below.
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(new java.io.File("/")); // the run dir is private to us: the sandbox uid may not enter it
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", WORKDIR);
        env.put("TMPDIR", "/tmp");
        env.put("LANG", "C.UTF-8");
        env.putAll(req.env());

        long start = System.nanoTime();
        Process p = pb.start();
        // Both output pipes are read at once (a run flooding both cannot stall on either), each
        // kept up to maxOutputBytes; past maxFileBytes (the cut RLIMIT_FSIZE made when they were
        // files) the run is killed, as a file-size limit hit.
        Runnable kill = () -> killTree(p);
        OutputDrain out = OutputDrain.start("sandbox-stdout", p.getInputStream(), lim.maxOutputBytes(), lim.maxFileBytes(), kill);
        OutputDrain err = OutputDrain.start("sandbox-stderr", p.getErrorStream(), lim.maxOutputBytes(), lim.maxFileBytes(), kill);
        byte[] input = req.stdin();
        Thread.ofVirtual().name("sandbox-stdin").start(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(input);
            } catch (IOException e) {
                // the program ended without reading all of its stdin: as with a file, not an error
            }
        });
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
        // Every writer of the pipes is in the launch's process tree or the sandbox's PID namespace,
        // which ends with it: the ends come at once; the bound only guards against the unforeseen.
        long wallMillis = (System.nanoTime() - start) / 1_000_000;
        String stdout = new String(out.finish(10_000), StandardCharsets.UTF_8);
        String stderr = new String(err.finish(10_000), StandardCharsets.UTF_8);
        Map<String, byte[]> collected = new LinkedHashMap<>();
        for (int i = 0; i < req.collect().size(); i++) {
            // The wrapper wrote "F" + the content of a plain file (a link is skipped inside); empty: absent.
            byte[] b = readBoundedBytes(files.collected().get(i), Math.max(lim.maxFileBytes(), lim.maxOutputBytes()));
            if (b.length > 0 && b[0] == 'F') collected.put(req.collect().get(i), java.util.Arrays.copyOfRange(b, 1, b.length));
        }
        // A stream past the file-size limit fails the run as SIGXFSZ did when it was a file, even
        // when the program had already ended (its last write still in the pipe) when it was killed.
        boolean flooded = !timedOut && (out.flooded() || err.flooded());
        String hit = timedOut ? "wall" : flooded ? "file-size" : limitHit(exit, leaf);
        return new RunResult(timedOut ? -1 : flooded ? SIGXFSZ_STATUS : exit, stdout, stderr, timedOut, wallMillis, collected, hit);
    }

    /** The status of a run whose stdout or stderr passed {@link Limits#maxFileBytes()}: 128 + SIGXFSZ, as a shell reports it. */
    static final int SIGXFSZ_STATUS = 128 + 25;

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
                if (f.length < 2 || Pids.isRunning(pid)) continue;
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

    /** Gives a run directory to the uid the launch runs as (the JVM is root; see asUnprivilegedUser). */
    private static void giveTo(Path dir, int uid) throws IOException {
        try (var entries = Files.walk(dir)) {
            for (Path p : entries.toList()) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
            }
        }
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
