package dev.codellm.eval.sandbox;

import dev.codellm.core.io.Pids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One sandbox run's own control group: a total memory limit (all processes together, tmpfs pages
 * included), a process limit and a CPU bandwidth cap, where this machine lets us create groups.
 * rlimits alone are per process (four processes of 1.5 GiB each all get their memory), which is
 * why the run report says plainly when only rlimits apply.
 *
 * <p>cgroup v2: a leaf under {@code <current cgroup>/codellm-sandbox/} when the memory controller
 * is delegated to us, with pids and cpu where they are too (a container may get memory alone: the
 * whole-run memory limit is what rlimits cannot give; processes and CPU time still have their
 * rlimits). cgroup v1 (hybrid hosts, many containers): one leaf in each of the memory, pids and
 * cpu hierarchies we may write. The launcher joins the leaf before
 * {@code bwrap} starts, so every process of the run is inside it.
 */
public final class CgroupLeaf implements AutoCloseable {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /**
     * Where leaves are made and how: the parent group per controller (memory always; pids, cpu
     * where available), the same directory for each on v2. {@link #why} says what was found, and
     * why none can be made when {@code parents} is empty.
     */
    public record Support(boolean v2, Map<String, Path> parents, String why) {
        public Support {
            parents = Map.copyOf(parents);
        }

        /** No leaves: only rlimits apply, for this reason. */
        public static Support none(String why) { return new Support(false, Map.of(), why); }

        public boolean available() { return parents.containsKey("memory"); }

        /** The controllers each leaf gets, in the order memory, pids, cpu. */
        public List<String> controllers() { return CONTROLLERS.stream().filter(parents::containsKey).toList(); }

        /** The v2 group whose children the leaves are. */
        public Optional<Path> v2Parent() { return v2 && available() ? Optional.of(parents.get("memory")) : Optional.empty(); }

        /** Creates the leaf for one run, or empty when the group cannot be made this time. */
        public Optional<CgroupLeaf> create(String name, Limits lim) {
            if (!available()) return Optional.empty();
            try {
                return Optional.of(CgroupLeaf.make(v2, parents, name, lim));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private final boolean v2;
    private final List<Path> dirs;
    private final Map<String, Path> byController;

    private CgroupLeaf(boolean v2, Map<String, Path> byController) {
        this.v2 = v2;
        this.byController = byController;
        this.dirs = List.copyOf(new java.util.LinkedHashSet<>(byController.values()));
    }

    /**
     * Looks at this process's cgroups once per JVM: on v2 the first look may move this JVM into a
     * {@code codellm-jvm} leaf of its own, and a second look from there would nest another one.
     */
    public static Support detect() {
        return Detected.SUPPORT;
    }

    private static final class Detected {
        static final Support SUPPORT = detect(ROOT, Path.of("/proc/self/cgroup"));
    }

    static Support detect(Path root, Path selfCgroup) {
        List<String> lines;
        try {
            lines = Files.readAllLines(selfCgroup);
        } catch (IOException e) {
            return Support.none("no /proc/self/cgroup");
        }
        Map<String, String> v1 = new LinkedHashMap<>();
        String v2Path = null;
        for (String line : lines) {
            String[] f = line.split(":", 3);
            if (f.length < 3) continue;
            if (f[0].equals("0") && f[1].isEmpty()) v2Path = f[2];
            else for (String c : f[1].split(",")) v1.put(c, f[2]);
        }
        // Pure v2: /sys/fs/cgroup is the unified hierarchy.
        if (v2Path != null && Files.isRegularFile(root.resolve("cgroup.controllers"))) {
            Path current = root.resolve(v2Path.substring(1));
            Path parent = current.resolve("codellm-sandbox");
            List<String> have = new ArrayList<>();
            try {
                List<String> offered = List.of(Files.readString(current.resolve("cgroup.controllers")).strip().split("\\s+"));
                for (String c : CONTROLLERS) if (offered.contains(c)) have.add(c);
            } catch (IOException e) {
                return Support.none("cgroup v2 not readable (" + e.getMessage() + ")");
            }
            if (!have.contains("memory")) return Support.none("cgroup v2 not delegated (memory controller not available)");
            String why = enableV2(current, parent, have);
            if (why != null) return Support.none("cgroup v2 not delegated (" + why + ")");
            Map<String, Path> parents = new LinkedHashMap<>();
            for (String c : have) parents.put(c, parent);
            return new Support(true, parents, "cgroup v2" + without(have));
        }
        Map<String, Path> parents = new LinkedHashMap<>();
        for (String c : CONTROLLERS) {
            String rel = v1.get(c);
            Path dir = rel == null ? null : root.resolve(c).resolve(rel.substring(1)).resolve("codellm-sandbox");
            if (dir != null && Files.isDirectory(dir.getParent()) && Files.isWritable(dir.getParent())) {
                try {
                    Files.createDirectories(dir);
                    removeStale(dir);
                    parents.put(c, dir);
                    continue;
                } catch (IOException e) {
                    // fall through: not ours to write
                }
            }
        }
        if (!parents.containsKey("memory")) return Support.none("no writable memory cgroup (v1 or v2)");
        return new Support(false, parents, "cgroup v1" + without(List.copyOf(parents.keySet())));
    }

    /** The controllers a leaf uses: memory is required, pids and cpu are used where given. */
    private static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");

    /** {@code " without pids,cpu"} for the controllers missing from {@code have}, else empty. */
    private static String without(List<String> have) {
        List<String> missing = CONTROLLERS.stream().filter(c -> !have.contains(c)).toList();
        return missing.isEmpty() ? "" : " without " + String.join(",", missing);
    }

    /** Leaf name for one run: the owner's pid first, so a later start can tell a dead run's leaf. */
    public static String leafName(int slot, long serial) {
        return "run-" + ProcessHandle.current().pid() + "-" + slot + "-" + serial;
    }

    /** Removes the leaves of runs whose JVM is gone (a kill -9 leaves them; the kernel left them empty). */
    private static void removeStale(Path parent) {
        if (!Files.isDirectory(parent)) return;
        try (var children = Files.list(parent)) {
            for (Path d : children.toList()) {
                String[] f = d.getFileName().toString().split("-");
                if (f.length < 2 || !f[0].equals("run")) continue;
                try {
                    if (!Pids.isRunning(Long.parseLong(f[1]))) Files.deleteIfExists(d);
                } catch (IOException | NumberFormatException e) {
                    // populated or not ours: leave it
                }
            }
        } catch (IOException e) {
            // unreadable: nothing to clean
        }
    }

    /** Makes {@code parent} a group whose children get the controllers {@code have}; null when it works. */
    private static String enableV2(Path current, Path parent, List<String> have) {
        String enable = String.join(" ", have.stream().map(c -> "+" + c).toList());
        try {
            removeStale(parent);
            if (!Files.isWritable(current)) return current + " not writable";
            Files.createDirectories(parent);
            List<String> sub = List.of(Files.readString(current.resolve("cgroup.subtree_control")).strip().split("\\s+"));
            if (!sub.containsAll(have)) {
                try {
                    Files.writeString(current.resolve("cgroup.subtree_control"), enable);
                } catch (IOException busy) {
                    // cgroup v2's no-internal-process rule (EBUSY): a group that holds processes cannot
                    // hand controllers to children. A delegated group (systemd Delegate=yes) is meant to
                    // be split: move this JVM into a leaf of its own, then enable them.
                    Path self = current.resolve("codellm-jvm");
                    Files.createDirectories(self);
                    Files.writeString(self.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
                    try {
                        Files.writeString(current.resolve("cgroup.subtree_control"), enable);
                    } catch (IOException still) {
                        // Not ours to split: go back where we were and leave nothing behind.
                        Files.writeString(current.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
                        Files.deleteIfExists(self);
                        Files.deleteIfExists(parent);
                        return "other processes than this JVM in " + current + " (" + busy.getMessage() + ")";
                    }
                }
            }
            // The parent holds no processes, so it may hand the controllers to its children.
            Files.writeString(parent.resolve("cgroup.subtree_control"), enable);
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    /** The leaf {@code name} under each parent (one directory on v2), with the limits written. */
    static CgroupLeaf make(boolean v2, Map<String, Path> parents, String name, Limits lim) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : parents.entrySet()) dirs.put(e.getKey(), e.getValue().resolve(name));
        CgroupLeaf leaf = new CgroupLeaf(v2, dirs);
        try {
            for (Path d : dirs.values()) Files.createDirectories(d);
            Path mem = dirs.get("memory");
            if (v2) {
                write(mem.resolve("memory.max"), Long.toString(lim.memoryBytes()));
                write(mem.resolve("memory.swap.max"), "0", true);
            } else {
                write(mem.resolve("memory.limit_in_bytes"), Long.toString(lim.memoryBytes()));
                write(mem.resolve("memory.memsw.limit_in_bytes"), Long.toString(lim.memoryBytes()), true);
            }
            if (dirs.containsKey("pids")) write(dirs.get("pids").resolve("pids.max"), Integer.toString(lim.maxProcesses() + LAUNCHER_PROCESSES));
            if (dirs.containsKey("cpu")) {
                if (v2) write(dirs.get("cpu").resolve("cpu.max"), (long) (lim.cpus() * 100_000) + " 100000");
                else {
                    write(dirs.get("cpu").resolve("cpu.cfs_period_us"), "100000");
                    write(dirs.get("cpu").resolve("cpu.cfs_quota_us"), Long.toString((long) (lim.cpus() * 100_000)));
                }
            }
        } catch (IOException e) {
            leaf.close();
            throw e;
        }
        return leaf;
    }

    /** bwrap's two processes and the launcher, on top of the program's own limit. */
    static final int LAUNCHER_PROCESSES = 3;

    /** The files the launcher writes its pid to before it becomes bwrap. */
    public List<Path> procsFiles() {
        return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /** Whether the kernel killed a process of this run for going over memory. */
    public boolean memoryLimitHit() {
        Path mem = byController.get("memory");
        if (v2) return counter(mem.resolve("memory.events"), "oom_kill") > 0 || counter(mem.resolve("memory.events"), "max") > 0;
        return counter(mem.resolve("memory.oom_control"), "oom_kill") > 0;
    }

    /** Whether a fork failed for the group's process limit. */
    public boolean processLimitHit() {
        Path pids = byController.get("pids");
        return pids != null && counter(pids.resolve("pids.events"), "max") > 0;
    }

    /** The largest memory use of the run, in bytes (-1 when the kernel does not say). */
    public long peakMemoryBytes() {
        Path mem = byController.get("memory");
        return readLong(mem.resolve(v2 ? "memory.peak" : "memory.max_usage_in_bytes"));
    }

    /** Processes still in the group (after the run: survivors to kill). */
    public List<Long> members() {
        List<Long> pids = new ArrayList<>();
        for (Path p : procsFiles()) {
            try {
                for (String l : Files.readAllLines(p)) if (!l.isBlank()) pids.add(Long.parseLong(l.strip()));
            } catch (IOException | NumberFormatException e) {
                // gone already
            }
        }
        return pids;
    }

    @Override
    public void close() {
        for (int attempt = 0; attempt < 50; attempt++) {
            if (v2) write(dirs.get(0).resolve("cgroup.kill"), "1", true);
            else for (long pid : members()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            boolean all = true;
            for (Path d : dirs) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    all = false; // still has (dying) members
                }
            }
            if (all) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void write(Path f, String v) throws IOException {
        Files.writeString(f, v);
    }

    private static void write(Path f, String v, boolean optional) {
        try {
            Files.writeString(f, v);
        } catch (IOException e) {
            // optional knob (no swap accounting, older kernel): the others still hold
        }
    }

    private static long counter(Path f, String key) {
        try {
            for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String[] kv = l.strip().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) return Long.parseLong(kv[1]);
            }
        } catch (IOException | NumberFormatException e) {
            // absent
        }
        return 0;
    }

    private static long readLong(Path f) {
        try {
            return Long.parseLong(Files.readString(f).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
