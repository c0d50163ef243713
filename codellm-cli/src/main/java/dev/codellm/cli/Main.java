package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code codellm} command. Subcommands live in their own classes and hold no logic beyond
 * parsing options, calling one module and printing. Exit codes: 0 ok, 1 runtime error, 2 usage.
 */
@Command(
        name = "codellm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "The code-LLM loop on the JVM: run, serve, evaluate, curate data for and train code models.",
        footer = {"", "Put codellm on the PATH: ./codellm install-link [DIR] (the launcher's own command; default ~/.local/bin)."},
        subcommands = {
            CommandLine.HelpCommand.class,
            EvalCommand.class,
            CompleteCommand.class,
            InfillCommand.class,
            ChatCommand.class,
            InspectCommand.class,
            TrainCommand.class,
            SynthModelCommand.class,
            BenchCommand.class,
            TokenizeCommand.class,
            DecontamCommand.class,
            OssInstructCommand.class,
            EvolInstructCommand.class,
            SelfInstructCommand.class,
            ServeCommand.class,
            ServeBenchCommand.class,
            PerplexityCommand.class,
            QuantizeCommand.class,
            ConvertCommand.class,
        })
public final class Main implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces on errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code (used by tests too). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean verbose = parsed.originalArgs().contains("--verbose");
            cmd.getErr().println("codellm: error: " + describe(ex));
            if (verbose) ex.printStackTrace(cmd.getErr());
            cmd.getErr().flush();
            return 1;
        });
        int rc = cl.execute(args);
        out.flush();  // a command's last print() (no newline, so no auto-flush) must reach stdout before System.exit
        err.flush();
        return rc;
    }

    /** One line naming the problem: our own errors as they are, others with their type. */
    static String describe(Throwable ex) {
        Throwable t = ex;
        if (t instanceof UncheckedIOException u && u.getCause() != null) t = u.getCause();
        if (t instanceof CodellmException || t instanceof IllegalArgumentException) return t.getMessage();
        if (t instanceof java.nio.file.NoSuchFileException n) return "file not found: " + n.getFile();
        if (t instanceof java.nio.file.AccessDeniedException a) return "permission denied: " + a.getFile();
        if (t instanceof IOException) return "I/O error: " + t.getMessage();
        if (t instanceof OutOfMemoryError) return "out of memory (raise -Xmx via CODELLM_JAVA_OPTS): " + t.getMessage();
        return t.getClass().getSimpleName() + ": " + t.getMessage() + " (rerun with --verbose for details)";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"codellm " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
