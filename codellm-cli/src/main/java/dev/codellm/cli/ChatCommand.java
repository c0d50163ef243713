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

/**
 * {@code codellm chat}: one answer to {@code --message}/MESSAGE, or an interactive conversation
 * reading one user turn per line from stdin (a line ending in {@code \} continues on the next;
 * {@code /reset} forgets the conversation, {@code /exit} or end of input quits).
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with an instruct model (template from the GGUF or --template); interactive when no message is given.")
public final class ChatCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MESSAGE", description = "Ask this and print the answer (one-shot), as typed unless --escape.")
    String positional;

    @Option(names = "--message", paramLabel = "TEXT", description = "Same as MESSAGE.")
    String message;

    @Option(names = {"--prompt-file", "--message-file"}, paramLabel = "FILE", description = "Read the one-shot message from FILE (as it is).")
    java.nio.file.Path messageFile;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt, as typed unless --escape.")
    String system;

    @Option(names = "--response-prefix", paramLabel = "TEXT",
            description = "Start the answer with this text (e.g. --escape --response-prefix '```python\\n'): sent as a trailing assistant message the answer continues.")
    String responsePrefix;

    @Mixin GenerationOptions generation;

    @Override
    public Integer call() throws IOException {
        if (positional != null && message != null) throw new IllegalArgumentException("give the message either as MESSAGE or with --message, not both");
        String oneShot = TextArgs.inlineOrFile(message != null ? message : positional, messageFile, "message", generation.escape);
        String prefix = generation.text(responsePrefix);
        try (GenerationOptions.Run run = generation.open()) {
            LocalGenerator g = run.generator();
            List<ChatMessage> history = new ArrayList<>();
            if (system != null) history.add(ChatMessage.system(generation.text(system)));
            if (oneShot != null) {
                history.add(ChatMessage.user(oneShot));
                answer(run, history, prefix);
                return 0;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            boolean interactive = System.console() != null && System.console().isTerminal(); // JDK 22+: console() is non-null even when redirected
            PrintWriter err = run.err();
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
                run.report().restart();
                String reply = answer(run, history, prefix);
                history.add(ChatMessage.assistant((prefix == null ? "" : prefix) + reply));
            }
        }
    }

    /** The answer to {@code history}; a response prefix goes in as a trailing assistant message (a prefill the answer continues). */
    private String answer(GenerationOptions.Run run, List<ChatMessage> history, String prefix) {
        TextOutput sink = run.text();
        List<ChatMessage> messages = history;
        if (prefix != null && !prefix.isEmpty()) {
            messages = new ArrayList<>(history);
            messages.add(ChatMessage.assistant(prefix));
            sink.echo(prefix);
        }
        Completion c = run.generator().chat(new ChatRequest(messages, generation.params()), sink);
        run.finish(sink, c);
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
