package dev.codellm.eval.multipl;

/**
 * What happened to one MultiPL-E program: MultiPL-E's status, the exit code of the step that
 * decided it (compile step for a {@link Status#SyntaxError}), its output, and the wall time.
 */
public record Execution(Status status, int exitCode, String stdout, String stderr, long wallMillis) {
    public boolean passed() { return status == Status.OK; }
}
