package dev.codellm.eval.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One program to run in the sandbox.
 *
 * @param argv    the command; argv[0] should be an absolute path (e.g. {@code /usr/bin/python3})
 * @param files   files to create in the private working directory before the run (relative paths)
 * @param stdin   bytes fed to standard input (empty: none)
 * @param limits  resource limits
 * @param collect relative paths read back from the working directory after the run, if they exist
 *                (at most {@link #MAX_COLLECT}: each comes back on its own fd, 4..8)
 * @param env     extra environment variables (the sandbox starts from a minimal environment:
 *                PATH, HOME and TMPDIR pointing into the sandbox, LANG=C.UTF-8)
 */
public record RunRequest(List<String> argv, Map<String, byte[]> files, byte[] stdin, Limits limits, List<String> collect,
                         Map<String, String> env) {
    public RunRequest {
        if (argv == null || argv.isEmpty()) throw new IllegalArgumentException("argv must not be empty");
        argv = List.copyOf(argv);
        // The sandbox's wrapper starts it through env(1), which would take NAME=VALUE for a variable.
        if (argv.get(0).contains("=")) throw new IllegalArgumentException("the program's path must not contain '=': " + argv.get(0));
        files = files == null ? Map.of() : new LinkedHashMap<>(files);
        for (String name : files.keySet()) checkRelative(name);
        stdin = stdin == null ? new byte[0] : stdin;
        if (limits == null) limits = Limits.DEFAULT;
        collect = collect == null ? List.of() : List.copyOf(collect);
        for (String name : collect) checkRelative(name);
        if (collect.size() > MAX_COLLECT) throw new IllegalArgumentException("at most " + MAX_COLLECT + " files can be collected: " + collect);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** How many files one run can hand back (the sandbox's fds 4..8). */
    public static final int MAX_COLLECT = 5;

    public static RunRequest of(List<String> argv, Limits limits) {
        return new RunRequest(argv, Map.of(), null, limits, List.of(), Map.of());
    }

    public RunRequest withFile(String name, String content) {
        Map<String, byte[]> f = new LinkedHashMap<>(files);
        f.put(name, content.getBytes(StandardCharsets.UTF_8));
        return new RunRequest(argv, f, stdin, limits, collect, env);
    }

    public RunRequest withStdin(String text) {
        return new RunRequest(argv, files, text.getBytes(StandardCharsets.UTF_8), limits, collect, env);
    }

    public RunRequest withCollect(List<String> names) {
        return new RunRequest(argv, files, stdin, limits, names, env);
    }

    public RunRequest withFileBytes(String name, byte[] content) {
        Map<String, byte[]> f = new LinkedHashMap<>(files);
        f.put(name, content);
        return new RunRequest(argv, f, stdin, limits, collect, env);
    }

    public RunRequest withEnv(Map<String, String> vars) {
        return new RunRequest(argv, files, stdin, limits, collect, vars);
    }

    public RunRequest withLimits(Limits l) {
        return new RunRequest(argv, files, stdin, l, collect, env);
    }

    private static void checkRelative(String name) {
        if (name.isEmpty() || name.startsWith("/") || List.of(name.split("/")).contains("..")) {
            throw new IllegalArgumentException("sandbox file names must be relative and stay inside the work dir: " + name);
        }
    }
}
