package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Generator;
import dev.codellm.core.benchmark.BenchmarkFiles;
import dev.codellm.core.io.Json;
import dev.codellm.data.evol.EvolInstructPipeline;
import dev.codellm.data.ossinstruct.Exports;
import dev.codellm.decontam.DecontamConfig;
import dev.codellm.decontam.RecordDecontaminator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code codellm evol-instruct}: instruction data → N rounds of teacher rewrites and answers → filtered, decontaminated data. */
@Command(name = "evol-instruct", mixinStandardHelpOptions = true,
        description = {"Evol-Instruct (WizardCoder's method, as MagicoderS used it): harder instruction data, rewritten and answered by a teacher.",
                "Each instruction is rewritten with a randomly drawn evolution operation and answered, for --rounds rounds; failed",
                "evolutions are dropped, then dedup, decontamination, exports. Rerun the same command to resume."})
public final class EvolInstructCommand implements Callable<Integer> {
    @Option(names = "--input", description = "Instruction jsonl to evolve (oss-instruct's data.jsonl, Alpaca/Code Alpaca, messages, ShareGPT; not needed when OUT/seeds.jsonl exists).")
    Path input;

    @Option(names = "--out", required = true, description = "Output directory (seeds, evolutions, data, exports, report).")
    Path out;

    @Option(names = "--max-seeds", defaultValue = "0", description = "Evolve at most this many instructions (0 = all).")
    int maxSeeds;

    @Option(names = "--rounds", defaultValue = "1", description = "Evolution rounds. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed for the operation drawn per instruction and round. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    TeacherOptions teacher;

    @Option(names = "--format", split = ",", defaultValue = "messages,alpaca,sharegpt", description = "Exports. Default: ${DEFAULT-VALUE}.")
    List<String> formats;

    @Option(names = "--decontam", defaultValue = "openai50", description = "Decontamination method (openai50|ngram|exact|none). Default: ${DEFAULT-VALUE}.")
    String decontam;

    @Option(names = "--json", description = "Print report.json as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EvolInstructPipeline.Config cfg;
        try {
            cfg = new EvolInstructPipeline.Config(input, maxSeeds, rounds, seed, teacher.client(), 0.8, formats(formats));
        } catch (IllegalArgumentException e) {
            throw new CodellmException(e.getMessage());
        }
        RecordDecontaminator dec = decontaminator(decontam);
        PrintWriter w = spec.commandLine().getOut();
        try (Generator g = teacher.open()) {
            Map<String, Object> report = new EvolInstructPipeline(cfg, System.err).run(g, dec, out);
            if (json) w.print(Json.pretty(report));
            else w.println("funnel " + report.get("funnel") + "; wrote " + out.resolve("data.jsonl") + " and exports " + report.get("exports")
                    + "; report " + out.resolve("report.html"));
        } finally {
            w.flush();
        }
        return 0;
    }

    static List<Exports.Format> formats(List<String> names) {
        try {
            return names.stream().map(Exports.Format::parse).toList();
        } catch (IllegalArgumentException e) {
            throw new CodellmException(e.getMessage());
        }
    }

    static RecordDecontaminator decontaminator(String method) {
        return method.equalsIgnoreCase("none") ? null : DecontamConfig.defaults(method.toLowerCase()).build(BenchmarkFiles.standard());
    }
}
