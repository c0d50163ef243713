package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.ChatMessage;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.Test;

/**
 * The REPL on a terminal, driven by keystrokes through JLine's own line discipline (the bytes a
 * user's keyboard sends: Enter, Ctrl-C, Ctrl-D), as a pseudo-terminal would deliver them.
 */
class ChatReplTest {
    private final PipedOutputStream keys = new PipedOutputStream();
    private final StringWriter err = new StringWriter();
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private String screen() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }
    private final List<List<ChatMessage>> asked = new CopyOnWriteArrayList<>();

    private void type(String s) throws Exception {
        keys.write(s.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /**
     * JLine's in-process terminal: its line discipline turns ^C into SIGINT for this JVM's handlers,
     * as the kernel's does for a real terminal (TerminalBuilder with streams opens a real pty
     * whose signals would go to no process of ours).
     */
    private Terminal terminal() throws Exception {
        return new ExternalTerminal("test", "xterm", new PipedInputStream(keys), screen, StandardCharsets.UTF_8);
    }

    private Thread start(Terminal terminal, ChatRepl repl) {
        Thread t = new Thread(() -> repl.run(terminal, null), "repl");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void waitFor(java.util.function.BooleanSupplier ok, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) fail("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void ctrlCStopsTheAnswerAndCtrlDLeaves() throws Exception {
        CountDownLatch answering = new CountDownLatch(1);
        ChatConversation conversation = new ChatConversation(null);
        ChatRepl repl = new ChatRepl(conversation, (messages, stop) -> {
            asked.add(List.copyOf(messages));
            if (asked.size() == 1) {  // the first answer runs until Ctrl-C stops it
                answering.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!stop.get() && System.nanoTime() < end) Thread.onSpinWait();
                return new ChatRepl.Answer("partial", stop.get());
            }
            return new ChatRepl.Answer("fine", false);
        }, new PrintWriter(err, true));
        try (Terminal terminal = terminal()) {
            Thread t = start(terminal, repl);
            type("/help\r");
            waitFor(() -> err.toString().contains("/reset"), "/help's answer");
            type("write forever\r");
            assertTrue(answering.await(20, TimeUnit.SECONDS), "the question was asked");
            type("\u0003"); // Ctrl-C while the answer is written
            waitFor(() -> err.toString().contains("answer stopped"), "the stopped answer");
            type("again\r");
            waitFor(() -> asked.size() == 2, "the second question");
            type("\u0004"); // Ctrl-D at an empty prompt
            t.join(20_000);
            assertFalse(t.isAlive(), "Ctrl-D leaves");
        }
        assertEquals(List.of(ChatMessage.user("write forever")), asked.get(0), "/help never reached the model");
        assertEquals(List.of(ChatMessage.user("again")), asked.get(1), "the stopped question is not part of the conversation");
        assertEquals(List.of(ChatMessage.user("again"), ChatMessage.assistant("fine")), conversation.messages());
    }

    @Test
    void quotesAndBackslashesAreTextAndCtrlCAtAnEmptyPromptLeaves() throws Exception {
        ChatRepl repl = new ChatRepl(new ChatConversation(null), (messages, stop) -> {
            asked.add(List.copyOf(messages));
            return new ChatRepl.Answer("ok", false);
        }, new PrintWriter(err, true));
        try (Terminal terminal = terminal()) {
            Thread t = start(terminal, repl);
            waitFor(() -> screen().contains(ChatRepl.PROMPT), "the prompt");
            type("it's \"quoted\\\r");  // a lone quote is text; the trailing backslash continues the turn
            type("on two lines\r");
            waitFor(() -> asked.size() == 1, "the question");
            type("\u0003");
            t.join(20_000);
            assertFalse(t.isAlive(), "Ctrl-C at an empty prompt leaves");
        }
        assertEquals(List.of(ChatMessage.user("it's \"quoted\non two lines")), asked.get(0));
    }
}
