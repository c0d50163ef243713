package dev.codellm.cli;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.Completion;
import dev.codellm.model.generate.LocalGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code codellm chat}: one answer to {@code --message}/MESSAGE, or an interactive conversation
 * reading one user turn per line from stdin (a line ending in {@code \} continues on the next;
 * {@code /reset} forgets the conversation, {@code /exit} or end of input quits).
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with an instruct model (template from the GGUF or --template); interactive when no message is given.")
public final class ChatCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MESSAGE", description = "Ask this and print the answer (one-shot).")
    String positional;

    @Option(names = "--message", paramLabel = "TEXT", description = "Same as MESSAGE.")
    String message;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt.")
    String system;

    @Option(names = "--response-prefix", paramLabel = "TEXT",
            description = "Start the answer with this text (e.g. '```python\\n').")
    String responsePrefix;

    @Option(names = {"-q", "--quiet"}, description = "Do not print the model summary and timings to stderr.")
    boolean quiet;

    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (positional != null && message != null) throw new IllegalArgumentException("give the message either as MESSAGE or with --message, not both");
        String oneShot = message != null ? message : positional;
        String prefix = responsePrefix == null ? null : responsePrefix.replace("\\n", "\n");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (LocalGenerator g = model.open()) {
            RunReport report = new RunReport(err, quiet, g);
            List<ChatMessage> history = new ArrayList<>();
            if (system != null) history.add(ChatMessage.system(system));
            if (oneShot != null) {
                history.add(ChatMessage.user(oneShot));
                answer(g, history, prefix, out, report);
                return 0;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            boolean interactive = System.console() != null && System.console().isTerminal(); // JDK 22+: console() is non-null even when redirected
            if (interactive) err.println("codellm: chatting with " + g.info().name() + " (template " + g.info().chatTemplate()
                    + "); /reset forgets the conversation, /exit quits");
            while (true) {
                if (interactive) { err.print("> "); err.flush(); }
                String turn = readTurn(in);
                if (turn == null || turn.strip().equals("/exit")) return 0;
                if (turn.isBlank()) continue;
                if (turn.strip().equals("/reset")) {
                    history.removeIf(m -> !m.role().equals("system"));
                    continue;
                }
                history.add(ChatMessage.user(turn));
                report.restart();
                String reply = answer(g, history, prefix, out, report);
                history.add(ChatMessage.assistant((prefix == null ? "" : prefix) + reply));
            }
        }
    }

    private String answer(LocalGenerator g, List<ChatMessage> history, String prefix, PrintWriter out, RunReport report) {
        TextOutput sink = new TextOutput(out);
        if (prefix != null) sink.accept(prefix);
        Completion c = g.chat(new ChatRequest(history, prefix, sampling.params()), sink);
        sink.finishLine();
        report.done(c.usage().promptTokens(), c.usage().completionTokens(), c.finishReason());
        return c.text();
    }

    /** One user turn: a line, joined with following lines while it ends in a backslash; null at end of input. */
    static String readTurn(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.endsWith("\\")) {
                sb.append(line, 0, line.length() - 1).append('\n');
                continue;
            }
            return sb.append(line).toString();
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
