package dev.codellm.data.ossinstruct;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.WorkPool;
import dev.codellm.core.io.Jsonl;
import dev.codellm.data.teacher.TeacherClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Asks the teacher ({@link TeacherClient}: concurrency, rate limit, retries, rejections) for every
 * seed not answered yet. Each answer is appended to {@code responses.jsonl} as one line and
 * flushed at once, so killing the process (even kill -9) loses no answer already received; a
 * rerun reads the file, skips the seeds it holds (a torn last line is cut off and re-asked) and
 * asks the rest. Seeds that still fail are counted with their reason and asked again by the next
 * run.
 */
public final class TeacherRun {
    private static final ObjectMapper JSON = dev.codellm.core.io.Json.MAPPER;

    /** Figures of one run; tokens count only this run's answers. */
    public record Stats(int seeds, int alreadyDone, int answered, int failed, int tornLines,
                        long promptTokens, long completionTokens, Map<String, Integer> failures) {}

    private final TeacherClient teacher;
    private final PrintStream progressOut;

    public TeacherRun(TeacherClient teacher, PrintStream progressOut) {
        this.teacher = teacher;
        this.progressOut = progressOut;
    }

    public Stats run(List<Seed> seeds, Path responses) throws IOException {
        int[] torn = {0};
        Set<String> done = answeredIds(responses, torn);
        List<Seed> todo = seeds.stream().filter(s -> !done.contains(s.id())).toList();
        long p0 = teacher.promptTokens(), c0 = teacher.completionTokens();
        List<WorkPool.Outcome<String>> outcomes;
        try (Jsonl.Appender w = new Jsonl.Appender(responses)) {
            List<Callable<String>> calls = new ArrayList<>();
            for (Seed s : todo) {
                calls.add(() -> {
                    Completion c = teacher.chat(List.of(ChatMessage.system(OssInstructPrompt.SYSTEM), ChatMessage.user(OssInstructPrompt.user(s))));
                    ObjectNode rec = JSON.createObjectNode();
                    rec.put("seed_id", s.id());
                    rec.put("lang", s.lang());
                    rec.put("model", teacher.model());
                    rec.put("response", c.text());
                    rec.put("finish_reason", c.finishReason().openAiName());
                    rec.put("prompt_tokens", c.usage().promptTokens());
                    rec.put("completion_tokens", c.usage().completionTokens());
                    w.append(rec);
                    return s.id();
                });
            }
            outcomes = teacher.runEach("oss-instruct teacher", calls, progressOut);
        }
        Map<String, Integer> failures = TeacherClient.failures(outcomes);
        int answered = (int) outcomes.stream().filter(WorkPool.Outcome::ok).count();
        int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
        return new Stats(seeds.size(), seeds.size() - todo.size(), answered, failed, torn[0],
                teacher.promptTokens() - p0, teacher.completionTokens() - c0, failures);
    }

    /** The error of a run in which the teacher answered nothing although seeds were asked. */
    public static CodellmException nothingAnswered(Stats t, Path report) {
        return TeacherClient.nothingAnswered(t.seeds() - t.alreadyDone(), "seeds", t.failures(), report);
    }

    /**
     * Seed ids already answered, read under the one torn-line policy ({@link Jsonl#readTolerant}):
     * a torn last line (a kill mid-write) is cut off and counted, and its seed is asked again.
     */
    static Set<String> answeredIds(Path responses, int[] torn) {
        Set<String> done = new HashSet<>();
        Jsonl.Tolerant read = Jsonl.readTolerant(responses);
        if (read.tornLineDropped()) torn[0]++;
        for (Jsonl.Line l : read.lines()) {
            JsonNode n = l.json();
            if (n.hasNonNull("seed_id") && n.hasNonNull("response")) done.add(n.get("seed_id").asText());
            else torn[0]++;
        }
        return done;
    }
}
