package dev.codellm.cli;

import dev.codellm.core.io.Json;
import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.llama.EngineBench;
import dev.codellm.model.llama.StepProfile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code codellm bench}: prompt and generation speed, and generation vs the memory-bandwidth bound. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt processing (pp) and generation (tg) tokens/s of a GGUF model and this machine's read bandwidth.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF model file (default: the model bundled with codellm).")
    Path model;

    @Option(names = {"-t", "--threads"}, description = "Worker threads (default: available processors).")
    Integer threads;

    @Option(names = {"-p", "--prompt-tokens"}, defaultValue = "512", description = "Prompt tokens processed as one batch (default ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = {"-n", "--gen-tokens"}, defaultValue = "64", description = "Tokens generated one at a time (default ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = {"-d", "--depth"}, paramLabel = "N", defaultValue = "0",
            description = "Fill the context with N tokens first, then run pp and tg after them (llama-bench's depth; -p 0 skips pp). Default ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = "--kv-type", defaultValue = "f16", paramLabel = "f16|f32|q8_0|q4_0", description = "KV cache type, as llama-bench's -ctk/-ctv (default ${DEFAULT-VALUE}).")
    String kvType;

    @Option(names = "--java", description = "Use the pure-Java Vector API kernels (as CODELLM_NATIVE=0) instead of the native C int8 kernels, the default where they load.")
    boolean javaKernels;

    @Option(names = "--native", description = "Require the native C int8 kernels (the default where they load): fail if they are unavailable.")
    boolean nativeKernels;

    @Option(names = "--kernels", paramLabel = "ISA", description = "Force one kernel variant: amx, avx512, avx2 or java (as CODELLM_ISA; default: the best this CPU runs). Refused, with the reason, where the CPU cannot run it.")
    String kernels;

    @Option(names = "--profile", description = "Time the pp prompt's and each generated token's forward pass by phase (norms, matmuls, attention, classifier, ...) and print the ms of each.")
    boolean profile;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (javaKernels && nativeKernels) throw new CommandLine.ParameterException(spec.commandLine(), "--java and --native exclude each other");
        if (kernels != null && (javaKernels || nativeKernels)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kernels excludes --java and --native");
        }
        EngineBench.Kernels choice = javaKernels ? EngineBench.Kernels.JAVA : nativeKernels ? EngineBench.Kernels.NATIVE : EngineBench.Kernels.DEFAULT;
        Path file = model != null ? model : DefaultModelFile.path();
        EngineBench.Result r = EngineBench.run(file, new EngineBench.Options(threads, promptTokens, genTokens, kvType, choice, kernels, depth, profile),
                json ? null : line -> System.err.println("bench: kernels: " + line));
        spec.commandLine().getOut().println(json ? toJson(r) : table(r) + (r.profile() == null ? "" : profileTable(r)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String table(EngineBench.Result r) {
        String at = r.depth() > 0 ? " @ d" + r.depth() : "";
        String kv = String.format(Locale.ROOT, "KV cache type: %s%s%n", r.kvType(),
                r.depth() > 0 ? String.format(Locale.ROOT, "; context filled to depth %d at %.2f tokens/s", r.depth(), r.depthTokensPerS()) : "");
        String t = kv + String.format(Locale.ROOT, """
                | model | type | threads | kernels | test | t/s |
                | --- | --- | ---: | --- | --- | ---: |
                | %1$s | %2$s | %3$d | %4$s | pp%5$d%17$s | %6$.2f |
                | %1$s | %2$s | %3$d | %4$s | tg%7$d%17$s | %8$.2f |

                weights read per generated token: %9$.1f MiB
                weight bytes streamed during generation: %10$.2f GB/s
                machine read bandwidth (%3$d threads, same run): %11$.2f GB/s
                generation vs bandwidth bound: %12$.2f
                KV cache: %13$.1f MiB; file: %14$.1f MiB; resident: %15$.1f MiB
                CPU share during generation: %16$.2f of %3$d threads (below 1 = other processes competed for the cores)
                thread dispatches per generated token: %18$.1f, %19$.0f ns each (empty loop, same threads)""",
                r.model(), r.weightType(), r.threads(), r.isa(), r.promptTokens(), r.ppTokensPerS(),
                r.genTokens(), r.tgTokensPerS(), r.weightBytesPerToken() / 1048576.0, r.weightGbPerS(), r.bandwidthGbPerS(),
                r.bandwidthRatio(), r.kvCacheBytes() / 1048576.0, r.fileBytes() / 1048576.0, r.rssBytes() / 1048576.0, r.tgCpuShare(), at,
                r.dispatchesPerToken(), r.dispatchNanos());
        // -p 0 with --depth times no prompt: no pp row (it printed "pp0 @ d4096 | NaN")
        return Double.isNaN(r.ppTokensPerS()) ? t.replaceFirst("\\| [^\n]*\\| pp0[^\n]*\n", "") : t;
    }

    /**
     * ms of each phase for the whole pp prompt (its chunks' passes summed) and per generated
     * token, each with its share of the wall time.
     */
    static String profileTable(EngineBench.Result r) {
        StringBuilder b = new StringBuilder();
        StepProfile pp = r.ppProfile();
        if (pp != null) {
            b.append(String.format(Locale.ROOT,
                    "%n%nper pp%d prompt (%d passes, %.1f ms in all, wall time on the calling thread):%n| phase | ms/prompt | share |%n| --- | ---: | ---: |%n",
                    r.promptTokens(), pp.passes(), pp.totalMs()));
            pp.msPerPass().forEach((ph, ms) -> b.append(String.format(Locale.ROOT, "| %s | %.2f | %.1f%% |%n", ph.what, ms * pp.passes(),
                    100 * ms / pp.totalMsPerPass())));
        }
        StepProfile p = r.profile();
        b.append(String.format(Locale.ROOT,
                "%n%nper generated token (%d passes, %.2f ms each, wall time on the calling thread):%n| phase | ms/token | share |%n| --- | ---: | ---: |%n",
                p.passes(), p.totalMsPerPass()));
        p.msPerPass().forEach((ph, ms) -> b.append(String.format(Locale.ROOT, "| %s | %.3f | %.1f%% |%n", ph.what, ms, 100 * ms / p.totalMsPerPass())));
        return b.toString().stripTrailing();
    }

    static String toJson(EngineBench.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", r.model());
        m.put("weight_type", r.weightType());
        m.put("threads", r.threads());
        m.put("kernels", r.nativeKernels() ? "native" : "java");
        m.put("isa", r.isa());
        m.put("kernels_why", r.kernelsWhy());
        m.put("prompt_tokens", r.promptTokens());
        m.put("gen_tokens", r.genTokens());
        m.put("pp_tokens_per_s", Double.isNaN(r.ppTokensPerS()) ? null : r.ppTokensPerS());  // null: -p 0 with --depth
        m.put("tg_tokens_per_s", r.tgTokensPerS());
        m.put("weight_bytes_per_token", r.weightBytesPerToken());
        m.put("weight_gb_per_s", r.weightGbPerS());
        m.put("bandwidth_gb_per_s", r.bandwidthGbPerS());
        m.put("bandwidth_ratio", r.bandwidthRatio());
        m.put("kv_cache_bytes", r.kvCacheBytes());
        m.put("kv_type", r.kvType());
        m.put("depth", r.depth());
        if (r.depth() > 0) m.put("depth_tokens_per_s", r.depthTokensPerS());
        m.put("file_bytes", r.fileBytes());
        m.put("rss_bytes", r.rssBytes());
        m.put("tg_cpu_share", r.tgCpuShare());
        m.put("dispatches_per_token", r.dispatchesPerToken());
        m.put("dispatch_ns", r.dispatchNanos());
        if (r.profile() != null) {
            Map<String, Object> prof = new LinkedHashMap<>();
            r.profile().msPerPass().forEach((ph, ms) -> prof.put(ph.name().toLowerCase(Locale.ROOT), ms));
            m.put("profile_ms_per_token", prof);
        }
        if (r.ppProfile() != null) {
            Map<String, Object> prof = new LinkedHashMap<>();
            StepProfile pp = r.ppProfile();
            pp.msPerPass().forEach((ph, ms) -> prof.put(ph.name().toLowerCase(Locale.ROOT), ms * pp.passes()));
            m.put("profile_ms_per_prompt", prof);
        }
        return Json.line(m);
    }
}
