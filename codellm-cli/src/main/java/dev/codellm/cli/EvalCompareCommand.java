package dev.codellm.cli;

import dev.codellm.eval.EvalDatasets;
import dev.codellm.eval.run.RunComparison;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code codellm eval compare RUN1 RUN2 ...}: pass@k side by side and tasks only one run solves;
 * for MultiPL-E runs, the Code Llama paper's table with a row per run.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare finished eval runs (their --out directories) side by side.",
                "MultiPL-E runs (--out of --dataset multipl-e[/<lang>...], its multipl-e/ folder or one language's folder)",
                "are shown as the Code Llama paper's table: pass@1 per language per run and the average over its six languages."})
public final class EvalCompareCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "2..*", paramLabel = "RUN_DIR", description = "Two or more eval --out directories.")
    List<Path> runs;

    @Option(names = "--html", description = "Also write an HTML page with a chart to this file.")
    Path html;

    @Option(names = "--json", description = "Print the comparison as JSON.")
    boolean json;

    @Override
    public Integer call() {
        RunComparison c = EvalDatasets.compare(runs);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? c.json().toPrettyString() + "\n" : c.text());
        if (html != null) {
            c.writeHtml(html);
            if (!json) out.println("chart: " + html);
        }
        out.flush();
        return 0;
    }
}
