package dev.codellm.eval.multipl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The nine MultiPL-E languages Code Llama and Magicoder report, each with the toolchain commands
 * MultiPL-E's evaluation scripts use and their way of telling a compile error from a failure.
 * Programs are compiled and run by Debian's toolchains (installed by scripts/setup.sh from
 * scripts/packages/multipl-e.txt); every command runs inside the sandbox.
 */
public enum MultiplLanguage {
    CPP("cpp", "C++", "main.cpp",
            List.of(new Tool("/usr/bin/g++", "g++")),
            List.of("/usr/bin/g++", "-std=c++17", "-o", "main", "main.cpp"),
            List.of("./main"), Map.of()),
    JAVA("java", "Java", "Problem.java",
            List.of(new Tool("/usr/bin/javac", "default-jdk-headless"), new Tool(MultiplLanguage.JAVATUPLES, "libjavatuples-java")),
            List.of("/usr/bin/javac", "-J-Xmx512m", "-encoding", "UTF8", "-cp", MultiplLanguage.JAVATUPLES, "-d", "out", "Problem.java"),
            List.of("/usr/bin/java", "-ea", "-Xmx512m", "-XX:+UseSerialGC", "-cp", "out:" + MultiplLanguage.JAVATUPLES, "Problem"),
            Map.of()),
    JS("js", "JavaScript", "main.js",
            List.of(new Tool("/usr/bin/node", "nodejs")),
            null, List.of("/usr/bin/node", "main.js"), Map.of()),
    TS("ts", "TypeScript", "main.ts",
            List.of(new Tool("/usr/bin/node", "nodejs"), new Tool("/usr/bin/tsc", "node-typescript")),
            List.of("/usr/bin/tsc", "--target", "esnext", "--module", "commonjs", "main.ts"),
            List.of("/usr/bin/node", "main.js"), Map.of()),
    PHP("php", "PHP", "main.php",
            List.of(new Tool("/usr/bin/php", "php-cli")),
            null, List.of("/usr/bin/php", "main.php"), Map.of()),
    CS("cs", "C#", "main.cs",
            List.of(new Tool("/usr/bin/mcs", "mono-mcs"), new Tool("/usr/bin/mono", "mono-runtime"),
                    new Tool("/usr/lib/mono/4.5/System.Numerics.dll", "libmono-system-numerics4.0-cil")),
            List.of("/usr/bin/mcs", "-d:DEBUG", "-r:System.Numerics.dll", "-out:main.exe", "main.cs"),
            List.of("/usr/bin/mono", "main.exe"),
            // Mono's Debug.Assert only prints a failure; sending it to stderr lets us see it.
            Map.of("MONO_TRACE_LISTENER", "Console.Error")),
    SH("sh", "Bash", "main.sh",
            List.of(new Tool("/bin/bash", "bash")),
            null, List.of("/bin/bash", "main.sh"), Map.of()),
    RS("rs", "Rust", "main.rs",
            List.of(new Tool("/usr/bin/rustc", "rustc")),
            List.of("/usr/bin/rustc", "--edition", "2021", "-o", "main", "main.rs"),
            List.of("./main"), Map.of()),
    GO("go", "Go", "main_test.go",
            List.of(new Tool("/usr/bin/go", "golang-go")),
            null, List.of("/usr/bin/go", "test", "main_test.go"),
            // No module, no network: plain GOPATH mode with a private build cache in the work dir.
            Map.of("GO111MODULE", "off", "GOCACHE", "/tmp/w/.gocache", "GOPATH", "/tmp/w/.gopath", "GOFLAGS", "-count=1"));

    static final String JAVATUPLES = "/usr/share/java/javatuples.jar";

    /** A file the language needs and the Debian package that provides it. */
    public record Tool(String path, String debianPackage) {}

    private final String code;
    private final String displayName;
    private final String sourceFile;
    private final List<Tool> tools;
    private final List<String> compile;
    private final List<String> run;
    private final Map<String, String> env;

    MultiplLanguage(String code, String displayName, String sourceFile, List<Tool> tools, List<String> compile,
                    List<String> run, Map<String, String> env) {
        this.code = code;
        this.displayName = displayName;
        this.sourceFile = sourceFile;
        this.tools = tools;
        this.compile = compile;
        this.run = run;
        this.env = env;
    }

    /** Dataset suffix: {@code humaneval-<code>.jsonl.gz}, CLI {@code --dataset multipl-e/<code>}. */
    public String code() { return code; }

    public String displayName() { return displayName; }

    public String sourceFile() { return sourceFile; }

    /** Compile command, or null for interpreted languages. */
    public List<String> compileCommand() { return compile; }

    public List<String> runCommand() { return run; }

    public Map<String, String> environment() { return env; }

    /**
     * Time limits as MultiPL-E uses them: 15 s per compile and per run (its safe_subprocess
     * default), 30 s for {@code go test}, which builds and runs in one step.
     */
    public Duration compileTimeout() { return Duration.ofSeconds(15); }

    public Duration runTimeout() { return this == GO ? Duration.ofSeconds(30) : Duration.ofSeconds(15); }

    /** Debian packages to install for the toolchain files that are absent (empty: ready). */
    public List<String> missingPackages() {
        return missingPackages(Files::exists);
    }

    List<String> missingPackages(java.util.function.Predicate<Path> exists) {
        List<String> missing = new ArrayList<>();
        for (Tool t : tools) {
            if (!exists.test(Path.of(t.path())) && !missing.contains(t.debianPackage())) missing.add(t.debianPackage());
        }
        return missing;
    }

    /**
     * MultiPL-E's verdict for a program whose compile step (if any) succeeded, from the run's
     * exit code and output. Timeouts are decided by the caller.
     */
    Status classifyRun(int exitCode, String stdout, String stderr) {
        return switch (this) {
            // go test prints build failures and test failures on stdout, and exits 1 for both.
            case GO -> stdout.contains("[setup failed]") || stdout.contains("[build failed]") ? Status.SyntaxError
                    : stdout.contains("FAIL") || exitCode != 0 ? Status.Exception : Status.OK;
            // php and bash parse the whole file at start: a parse error is their compile error.
            case PHP -> stdout.contains("PHP Parse error") || stderr.contains("PHP Parse error")
                    || stdout.contains("Parse error:") ? Status.SyntaxError : exitCode != 0 ? Status.Exception : Status.OK;
            case SH -> exitCode == 0 ? Status.OK : stderr.contains("syntax error") ? Status.SyntaxError : Status.Exception;
            case JS -> exitCode == 0 ? Status.OK : stderr.contains("SyntaxError") ? Status.SyntaxError : Status.Exception;
            // mono exits 0 after a failed Debug.Assert; the trace listener's message tells.
            case CS -> exitCode != 0 || stderr.contains("DefaultTraceListener.Fail") || stderr.contains("Assertion Failed")
                    || stderr.contains("Unhandled Exception") ? Status.Exception : Status.OK;
            default -> exitCode == 0 ? Status.OK : Status.Exception;
        };
    }

    /** The language's HumanEval translation in the benchmark registry ({@code multipl-e/<code>}). */
    public dev.codellm.core.benchmark.BenchmarkSpec spec() {
        return dev.codellm.core.benchmark.BenchmarkRegistry.multiplE(code).orElseThrow();
    }

    public static MultiplLanguage fromCode(String code) {
        for (MultiplLanguage l : values()) {
            if (l.code.equals(code) || (l == GO && code.equals("go_test.go"))) return l;
        }
        throw new IllegalArgumentException("unknown MultiPL-E language '" + code + "' (known: cpp, java, js, ts, php, cs, sh, rs, go)");
    }
}
