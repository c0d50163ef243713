package dev.codellm.cli;

import dev.codellm.eval.report.Compare;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code codellm eval compare RUN1 RUN2 ...}: pass@k side by side and tasks only one run solves. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare finished eval runs (their --out directories) side by side.")
public final class EvalCompareCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "2..*", paramLabel = "RUN_DIR", description = "Two or more eval --out directories.")
    List<Path> runs;

    @Option(names = "--html", description = "Also write an HTML page with a chart to this file.")
    Path html;

    @Override
    public Integer call() {
        List<Compare.Run> loaded = runs.stream().map(Compare::load).toList();
        spec.commandLine().getOut().print(Compare.table(loaded));
        if (html != null) {
            Compare.writeHtml(loaded, html);
            spec.commandLine().getOut().println("chart: " + html);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
