package dev.codellm.cli;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.Completion;
import dev.codellm.core.FinishReason;
import dev.codellm.model.generate.LocalGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code codellm chat}: one answer to {@code --message}/MESSAGE, or a conversation ({@link ChatRepl}):
 * on a terminal with a line editor, from a pipe one user turn per line (a line ending in {@code \}
 * continues on the next); slash commands ({@code /help}) are {@link ChatConversation}'s.
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
            ChatConversation conversation = new ChatConversation(generation.text(system));
            if (oneShot != null) {
                conversation.say(oneShot); // as typed, even when it starts with a slash
                answer(run, conversation.messages(), prefix, new AtomicBoolean());
                return 0;
            }
            ChatRepl repl = new ChatRepl(conversation, (messages, stop) -> answer(run, messages, prefix, stop), run.err());
            // JDK 22+: console() exists even when redirected; isTerminal() says whether stdin and stdout are the terminal
            if (System.console() == null || !System.console().isTerminal()) {
                repl.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
                return 0;
            }
            try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
                LocalGenerator g = run.generator();
                run.err().println("codellm: chatting with " + g.info().name() + " (template " + g.info().chatTemplate()
                        + "). /help lists the commands; Ctrl-C stops an answer, Ctrl-D leaves.");
                run.err().flush();
                repl.run(terminal, historyFile());
            }
            return 0;
        }
    }

    /** Kept across runs, like a shell's: ~/.cache/codellm/chat-history. */
    private static Path historyFile() {
        return Path.of(System.getProperty("user.home"), ".cache", "codellm", "chat-history");
    }

    /** The answer to {@code history}; a response prefix goes in as a trailing assistant message (a prefill the answer continues). */
    private ChatRepl.Answer answer(GenerationOptions.Run run, List<ChatMessage> history, String prefix, AtomicBoolean stop) {
        TextOutput out = run.text();
        List<ChatMessage> messages = history;
        if (prefix != null && !prefix.isEmpty()) {
            messages = new ArrayList<>(history);
            messages.add(ChatMessage.assistant(prefix));
            out.echo(prefix);
        }
        run.report().restart();
        Completion c = run.generator().chat(new ChatRequest(messages, generation.params()), text -> !stop.get() && out.accept(text));
        run.finish(out, c);
        return new ChatRepl.Answer((prefix == null ? "" : prefix) + c.text(), stop.get() || c.finishReason() == FinishReason.CANCELLED);
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
