package dev.codellm.eval.multipl;

/** MultiPL-E's per-program outcome; only {@link #OK} passes. */
public enum Status {
    OK,
    /** Ran but a test assertion failed or the program crashed. */
    Exception,
    /** Did not compile (or, for interpreted languages, did not parse). */
    SyntaxError,
    /** Compile or run exceeded its time limit; the process tree was killed. */
    Timeout
}
