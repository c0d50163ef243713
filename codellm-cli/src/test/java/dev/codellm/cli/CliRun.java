package dev.codellm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the CLI through {@link Main#run} with captured streams: what every CLI test checks. */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }
}
