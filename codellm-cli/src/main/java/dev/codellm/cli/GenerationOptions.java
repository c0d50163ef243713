package dev.codellm.cli;

import dev.codellm.core.Completion;
import dev.codellm.core.FinishReason;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.generate.InfillFormat;
import dev.codellm.model.generate.LocalGenerator;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What complete, infill and chat share, as one picocli mixin: the model and sampling options,
 * {@code -q}, and a {@link Run} that opens the model, prints its summary and reports each answer.
 */
final class GenerationOptions {
    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;

    @Option(names = {"-q", "--quiet"}, description = "Do not print the model summary and timings to stderr.")
    boolean quiet;

    @Option(names = {"-e", "--escape"},
            description = "Turn \\n, \\t, \\r, \\\\, \\\", \\' and \\xHH in the text options (prompt, prefix, suffix, message, system, stop) "
                    + "into the characters they name. Default: text is taken as typed; files are never changed.")
    boolean escape;

    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    SamplingParams params() { return sampling.params(escape); }

    /** A text option as the user meant it: as typed, or unescaped with {@code --escape}. */
    String text(String typed) { return typed == null || !escape ? typed : TextArgs.unescape(typed); }

    /** Opens the model (plain prompts in Code Llama's PSM infill order) and prints its summary unless quiet. */
    Run open() { return open(InfillFormat.PSM); }

    Run open(InfillFormat infillFormat) {
        LocalGenerator g = model.open(infillFormat);
        PrintWriter err = spec.commandLine().getErr();
        return new Run(g, spec.commandLine().getOut(), err, new RunReport(err, quiet, g));
    }

    /** An open model with the command's stdout, stderr and run report; closing it frees the model. */
    record Run(LocalGenerator generator, PrintWriter out, PrintWriter err, RunReport report) implements AutoCloseable {
        /** A fresh sink streaming text to stdout. */
        TextOutput text() { return new TextOutput(out, report::firstToken); }

        /** Ends the streamed text with a newline and reports the token counts and speed. */
        void finish(TextOutput text, Completion c) {
            text.finishLine();
            report.done(c.usage().promptTokens(), c.usage().completionTokens(), c.finishReason());
            int ctx = generator.info().contextLength();
            if (c.finishReason() == FinishReason.LENGTH && !generator.contextShift().enabled()
                    && c.usage().promptTokens() + c.usage().completionTokens() >= ctx) {
                // said even with -q: the answer is cut, not finished
                err.println("codellm: the answer stopped at the end of the context (" + ctx
                        + " tokens); --context-shift goes on past it, --ctx N gives a longer context");
                err.flush();
            }
        }

        @Override
        public void close() { generator.close(); }
    }
}
