package dev.codellm.eval.sandbox;

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
 * <p>cgroup v2: a leaf under {@code <current cgroup>/codellm-sandbox/} when the memory, pids
 * and cpu controllers are delegated to us. cgroup v1 (hybrid hosts, many containers): one leaf in
 * each of the memory, pids and cpu hierarchies we may write. The launcher joins the leaf before
 * {@code bwrap} starts, so every process of the run is inside it.
 */
public final class CgroupLeaf implements AutoCloseable {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** Where leaves are made and how; {@link #why} says what was found when none can be. */
    public record Support(Optional<Path> v2Parent, Map<String, Path> v1Parents, String why) {
        public boolean available() { return v2Parent.isPresent() || !v1Parents.isEmpty(); }

        /** Creates the leaf for one run, or empty when the group cannot be made this time. */
        public Optional<CgroupLeaf> create(String name, Limits lim) {
            try {
                if (v2Parent.isPresent()) return Optional.of(CgroupLeaf.v2(v2Parent.get().resolve(name), lim));
                if (!v1Parents.isEmpty()) return Optional.of(CgroupLeaf.v1(v1Parents, name, lim));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
            return Optional.empty();
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

    /** Looks at this process's cgroups once. */
    public static Support detect() {
        return detect(ROOT, Path.of("/proc/self/cgroup"));
    }

    static Support detect(Path root, Path selfCgroup) {
        List<String> lines;
        try {
            lines = Files.readAllLines(selfCgroup);
        } catch (IOException e) {
            return new Support(Optional.empty(), Map.of(), "no /proc/self/cgroup");
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
            String why = enableV2(current, parent);
            if (why == null) return new Support(Optional.of(parent), Map.of(), "cgroup v2");
            return new Support(Optional.empty(), Map.of(), "cgroup v2 not delegated (" + why + ")");
        }
        Map<String, Path> parents = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String c : List.of("memory", "pids", "cpu")) {
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
            missing.add(c);
        }
        if (!parents.containsKey("memory")) return new Support(Optional.empty(), Map.of(), "no writable memory cgroup (v1 or v2)");
        return new Support(Optional.empty(), parents, "cgroup v1" + (missing.isEmpty() ? "" : " without " + String.join(",", missing)));
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
                    if (ProcessHandle.of(Long.parseLong(f[1])).isEmpty()) Files.deleteIfExists(d);
                } catch (IOException | NumberFormatException e) {
                    // populated or not ours: leave it
                }
            }
        } catch (IOException e) {
            // unreadable: nothing to clean
        }
    }

    /** Makes {@code parent} a group whose children get memory, pids and cpu; null when it works. */
    private static String enableV2(Path current, Path parent) {
        try {
            String have = Files.readString(current.resolve("cgroup.controllers"));
            for (String c : List.of("memory", "pids", "cpu")) if (!have.contains(c)) return c + " controller not available";
            removeStale(parent);
            if (!Files.isWritable(current)) return current + " not writable";
            Files.createDirectories(parent);
            String sub = Files.readString(current.resolve("cgroup.subtree_control"));
            if (!(sub.contains("memory") && sub.contains("pids") && sub.contains("cpu"))) {
                try {
                    Files.writeString(current.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
                } catch (IOException busy) {
                    // cgroup v2's no-internal-process rule (EBUSY): a group that holds processes cannot
                    // hand controllers to children. A delegated group (systemd Delegate=yes) is meant to
                    // be split: move this JVM into a leaf of its own, then enable them.
                    Path self = current.resolve("codellm-jvm");
                    Files.createDirectories(self);
                    Files.writeString(self.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
                    try {
                        Files.writeString(current.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
                    } catch (IOException still) {
                        return "other processes than this JVM in " + current + " (" + busy.getMessage() + ")";
                    }
                }
            }
            // The parent holds no processes, so it may hand the controllers to its children.
            Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    static CgroupLeaf v2(Path dir, Limits lim) throws IOException {
        Files.createDirectories(dir);
        CgroupLeaf leaf = new CgroupLeaf(true, Map.of("memory", dir, "pids", dir, "cpu", dir));
        try {
            write(dir.resolve("memory.max"), Long.toString(lim.memoryBytes()));
            write(dir.resolve("memory.swap.max"), "0", true);
            write(dir.resolve("pids.max"), Integer.toString(lim.maxProcesses() + LAUNCHER_PROCESSES));
            write(dir.resolve("cpu.max"), (long) (lim.cpus() * 100_000) + " 100000");
        } catch (IOException e) {
            leaf.close();
            throw e;
        }
        return leaf;
    }

    static CgroupLeaf v1(Map<String, Path> parents, String name, Limits lim) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : parents.entrySet()) dirs.put(e.getKey(), e.getValue().resolve(name));
        CgroupLeaf leaf = new CgroupLeaf(false, dirs);
        try {
            for (Path d : dirs.values()) Files.createDirectories(d);
            Path mem = dirs.get("memory");
            write(mem.resolve("memory.limit_in_bytes"), Long.toString(lim.memoryBytes()));
            write(mem.resolve("memory.memsw.limit_in_bytes"), Long.toString(lim.memoryBytes()), true);
            if (dirs.containsKey("pids")) write(dirs.get("pids").resolve("pids.max"), Integer.toString(lim.maxProcesses() + LAUNCHER_PROCESSES));
            if (dirs.containsKey("cpu")) {
                write(dirs.get("cpu").resolve("cpu.cfs_period_us"), "100000");
                write(dirs.get("cpu").resolve("cpu.cfs_quota_us"), Long.toString((long) (lim.cpus() * 100_000)));
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
