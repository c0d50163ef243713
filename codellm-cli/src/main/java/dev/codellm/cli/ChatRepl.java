package dev.codellm.cli;

import dev.codellm.core.ChatMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;

/**
 * The interactive side of {@code codellm chat}. On a terminal: JLine's line editor (arrows,
 * Emacs keys, history kept across runs), a prompt, Ctrl-C stopping the answer being written and,
 * at an empty prompt, leaving, as Ctrl-D does. From a pipe: one turn per line, no prompt. In both,
 * slash commands are {@link ChatConversation}'s and never reach the model.
 */
final class ChatRepl {
    static final String PROMPT = ">>> ", CONTINUATION = "... ";

    /** Writes the answer to the messages, checking {@code stop} between tokens. */
    interface Answerer {
        Answer answer(List<ChatMessage> messages, AtomicBoolean stop);
    }

    /** The assistant's whole turn (a response prefix included), and whether Ctrl-C cut it short. */
    record Answer(String text, boolean stopped) {}

    private final ChatConversation conversation;
    private final Answerer answerer;
    private final PrintWriter err;

    ChatRepl(ChatConversation conversation, Answerer answerer, PrintWriter err) {
        this.conversation = conversation;
        this.answerer = answerer;
        this.err = err;
    }

    /** On a terminal; returns when the user leaves. */
    void run(Terminal terminal, Path historyFile) {
        DefaultParser parser = new DefaultParser();
        // Turns are prose and code, not shell words: a lone quote or backslash must not open a
        // secondary prompt or vanish. Continuation lines are ours (a trailing backslash).
        parser.setQuoteChars(new char[0]);
        parser.setEscapeChars(new char[0]);
        parser.setEofOnUnclosedQuote(false);
        parser.setEofOnEscapedNewLine(false);
        LineReaderBuilder b = LineReaderBuilder.builder().terminal(terminal).parser(parser)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' in code is not history expansion
                .option(LineReader.Option.INSERT_TAB, true);              // Tab indents code; there is nothing to complete
        if (historyFile != null) {
            try {
                Files.createDirectories(historyFile.getParent());
                b.variable(LineReader.HISTORY_FILE, historyFile);
            } catch (IOException e) {
                err.println("codellm: chat history not kept (" + e.getMessage() + ")");
            }
        }
        LineReader reader = b.build();
        AtomicBoolean stop = new AtomicBoolean();
        // While an answer is written the terminal is not in raw mode: Ctrl-C is a SIGINT, which
        // stops the answer instead of the JVM. readLine installs its own handler while it reads.
        terminal.handle(Terminal.Signal.INT, s -> stop.set(true));
        while (true) {
            String turn;
            try {
                turn = readTurn(reader);
            } catch (UserInterruptException e) {
                if (e.getPartialLine() == null || e.getPartialLine().isBlank()) return; // Ctrl-C at an empty prompt leaves
                continue;                                                             // else it drops the line typed so far
            } catch (EndOfFileException e) {
                return;
            }
            stop.set(false);
            if (!act(turn, stop)) return;
        }
    }

    /** From a pipe: one turn per line (a trailing backslash continues it); returns at the end of input or /exit. */
    void run(BufferedReader in) throws IOException {
        String turn;
        while ((turn = ChatCommand.readTurn(in)) != null) {
            if (!act(turn, new AtomicBoolean())) return;
        }
    }

    /** Does what the turn asks; false when it asks to leave. */
    private boolean act(String turn, AtomicBoolean stop) {
        ChatConversation.Action action = conversation.handle(turn);
        switch (action) {
            case null -> { }
            case ChatConversation.Leave l -> { return false; }
            case ChatConversation.Tell t -> {
                err.println(t.message());
                err.flush();
            }
            case ChatConversation.Ask a -> {
                Answer c;
                try {
                    c = answerer.answer(conversation.messages(), stop);
                } catch (RuntimeException e) {
                    conversation.unanswered();
                    err.println("codellm: error: " + Main.describe(e)); // one failed answer does not end the conversation
                    err.flush();
                    return true;
                }
                if (c.stopped()) {
                    conversation.unanswered();
                    err.println("(answer stopped; it is not part of the conversation)");
                    err.flush();
                } else {
                    conversation.answered(c.text());
                }
            }
        }
        return true;
    }

    /** One turn: a line, joined with the next while it ends in a backslash. */
    private static String readTurn(LineReader reader) {
        StringBuilder sb = new StringBuilder();
        String line = reader.readLine(PROMPT);
        while (line.endsWith("\\")) {
            sb.append(line, 0, line.length() - 1).append('\n');
            line = reader.readLine(CONTINUATION);
        }
        return sb.append(line).toString();
    }
}
