package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.eval.multipl.MultiplCompare;
import dev.codellm.eval.multipl.PaperTable;
import dev.codellm.eval.report.Compare;
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

    @Override
    public Integer call() {
        long multipl = runs.stream().filter(MultiplCompare::isRun).count();
        if (multipl > 0) {
            if (multipl < runs.size()) {
                throw new CodellmException("cannot compare MultiPL-E runs with HumanEval/MBPP runs: "
                        + runs.stream().filter(r -> !MultiplCompare.isRun(r)).map(Path::toString).toList() + " are not MultiPL-E");
            }
            return compareMultipl();
        }
        List<Compare.Run> loaded = runs.stream().map(Compare::load).toList();
        spec.commandLine().getOut().print(Compare.table(loaded));
        if (html != null) {
            Compare.writeHtml(loaded, html);
            spec.commandLine().getOut().println("chart: " + html);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private int compareMultipl() {
        List<PaperTable.Row> rows = MultiplCompare.load(runs);
        spec.commandLine().getOut().print(MultiplCompare.text(rows));
        if (html != null) {
            MultiplCompare.writeHtml(rows, html);
            spec.commandLine().getOut().println("chart: " + html);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
