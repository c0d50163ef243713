package dev.codellm.eval.sandbox;

/**
 * Runs untrusted programs: any argv, with given files in a private temporary working
 * directory, standard input, and resource limits; returns exit status, output and whether it
 * timed out. Nothing is left behind: no processes, no files. Safe to call from many threads.
 */
public interface Sandbox {
    RunResult run(RunRequest request);

    /** One line for logs and reports, e.g. "bubblewrap 0.8.0 (uid 61000+, no network, ...)". */
    String describe();
}
