package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.eval.multipl.MultiplCompare;
import dev.codellm.eval.multipl.PaperTable;
import dev.codellm.eval.report.Compare;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
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
            List<PaperTable.Row> rows = MultiplCompare.load(runs);
            return show(MultiplCompare.text(rows), file -> MultiplCompare.writeHtml(rows, file));
        }
        List<Compare.Run> loaded = runs.stream().map(Compare::load).toList();
        return show(Compare.table(loaded), file -> Compare.writeHtml(loaded, file));
    }

    /** Prints the table and, with --html, writes the page. */
    private int show(String table, Consumer<Path> writeHtml) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(table);
        if (html != null) {
            writeHtml.accept(html);
            out.println("chart: " + html);
        }
        out.flush();
        return 0;
    }
}
