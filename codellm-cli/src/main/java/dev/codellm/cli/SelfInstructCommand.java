package dev.codellm.cli;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Generator;
import dev.codellm.core.io.Json;
import dev.codellm.data.selfinstruct.SelfInstructPipeline;
import dev.codellm.data.selfinstruct.SelfInstructPrompt;
import dev.codellm.eval.tasks.AssertTests;
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

/** {@code codellm self-instruct}: questions → unit tests → answers run in the eval sandbox → the first passing kept. */
@Command(name = "self-instruct", mixinStandardHelpOptions = true,
        description = {"Self-instruct with execution feedback (Code Llama's recipe): instruction data whose answers passed generated tests.",
                "The teacher writes interview-style questions per topic; the solver writes unit tests and up to --solutions answers per",
                "question, each run against the tests in eval's sandbox; the first passing answer is kept, then dedup, decontamination,",
                "exports. Rerun the same command to resume."})
public final class SelfInstructCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Output directory (questions, tests, solutions, data, exports, report).")
    Path out;

    @Option(names = "--topics", paramLabel = "FILE", description = "Seed topics, one per line (default: " + 24 + " usual interview topics).")
    Path topics;

    @Option(names = "--questions", paramLabel = "FILE", description = "Instruction jsonl whose instructions are the questions (any shape evol-instruct reads); the teacher is then not asked.")
    Path questions;

    @Option(names = "--questions-per-topic", defaultValue = "10", description = "Questions asked per topic. Default: ${DEFAULT-VALUE}.")
    int questionsPerTopic;

    @Option(names = "--solutions", defaultValue = "10", description = "Answers asked per question at most (until one passes). Default: ${DEFAULT-VALUE}.")
    int solutions;

    @Mixin
    TeacherOptions teacher;

    @Option(names = "--solver-endpoint", description = "OpenAI-compatible solver for tests and answers (with --solver-api-model; default: the teacher).")
    String solverEndpoint;

    @Option(names = "--solver-api-model", description = "Solver model name sent to --solver-endpoint.")
    String solverApiModel;

    @Option(names = "--solver-model", paramLabel = "FILE", description = "Local GGUF solver (default: the teacher).")
    Path solverModel;

    @Option(names = "--solver-temperature", defaultValue = "0.8", description = "Temperature of the answers (tests use --temperature). Default: ${DEFAULT-VALUE}.")
    double solverTemperature;

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
        SelfInstructPipeline.Config cfg;
        try {
            cfg = new SelfInstructPipeline.Config(topics == null ? SelfInstructPrompt.DEFAULT_TOPICS : SelfInstructPipeline.readTopics(topics),
                    questions, questionsPerTopic, solutions, teacher.client(), teacher.client(solverTemperature), 0.8, EvolInstructCommand.formats(formats));
        } catch (IllegalArgumentException e) {
            throw new CodellmException(e.getMessage());
        }
        var dec = EvolInstructCommand.decontaminator(decontam);
        boolean ownSolver = solverEndpoint != null || solverModel != null;
        PrintWriter w = spec.commandLine().getOut();
        try (Generator t = teacher.open();
             Generator s = ownSolver ? TeacherOptions.open(solverEndpoint, solverApiModel, solverModel, "--solver-endpoint", "--solver-api-model") : null) {
            AssertTests judge = AssertTests.inDefaultSandbox(cfg.solver().concurrency());
            Map<String, Object> report = new SelfInstructPipeline(cfg, System.err).run(t, s == null ? t : s, judge, dec, out);
            if (json) w.print(Json.pretty(report));
            else w.println("funnel " + report.get("funnel") + "; wrote " + out.resolve("data.jsonl") + " and exports " + report.get("exports")
                    + "; report " + out.resolve("report.html"));
        } finally {
            w.flush();
        }
        return 0;
    }
}
