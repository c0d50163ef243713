package dev.codellm.data.evol;

import dev.codellm.core.ChatMessage;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The two requests of one evolution step (rewrite the task with an operation, then answer the
 * rewritten task) and WizardLM's elimination of failed evolutions, restated: an empty or
 * unchanged rewrite, one of punctuation with hardly a word, one that copies words of our
 * request instead of a task, or a refusal.
 */
public final class EvolPrompt {
    private EvolPrompt() {}

    static final String SYSTEM = "You rewrite programming tasks into harder ones. A rewritten task is self-contained, "
            + "solvable by a competent programmer, and never includes its own solution.";
    /** Words of the request that a rewritten task has no reason to contain: their presence means the teacher echoed us. */
    private static final List<String> OURS = List.of("Rewrite the programming task", "<task>", "</task>", "Method to use:", "rewritten task only");
    private static final Pattern LABEL = Pattern.compile("(?is)^\\s*(?:\\*\\*|#+\\s*)?(?:the\\s+)?(?:rewritten|new|evolved|harder)\\s+(?:programming\\s+)?(?:task|prompt|problem)\\s*(?:\\*\\*)?\\s*:?\\s*(?:\\*\\*)?\\s*");
    private static final List<String> REFUSALS = List.of("sorry", "i cannot", "i can't", "i can not", "i'm unable", "i am unable", "as an ai",
            "i won't", "i will not");
    static final int MIN_CHARS = 20;
    /** WizardLM drops responses of "only punctuation and stop words": fewer words than this (of two letters or more) count as that. */
    static final int MIN_WORDS = 3;
    private static final Pattern WORD = Pattern.compile("\\p{L}{2,}");

    /** The rewrite request for one task. */
    public static List<ChatMessage> evolve(String task, EvolOperation op) {
        String user = "Rewrite the programming task below into a more difficult version of it.\n\nMethod to use: " + op.instruction()
                + "\n\nKeep it a complete, self-contained task in the same programming language. Answer with the rewritten task only.\n\n"
                + "<task>\n" + task.strip() + "\n</task>";
        return List.of(ChatMessage.system(SYSTEM), ChatMessage.user(user));
    }

    /** The answer request: the rewritten task as the user's message, as it will be in the training data. */
    public static List<ChatMessage> solve(String task) {
        return List.of(ChatMessage.user(task));
    }

    /** The rewritten task in the teacher's answer (a leading "Rewritten task:" label removed). */
    public static String rewritten(String answer) {
        String s = answer == null ? "" : answer.strip();
        s = LABEL.matcher(s).replaceFirst("");
        return s.strip();
    }

    /** Why an evolution failed, or null when it is kept. */
    public static String failure(String parent, String evolved) {
        if (evolved.length() < MIN_CHARS) return "empty";
        if (normal(evolved).equals(normal(parent))) return "unchanged";
        if (words(evolved) < MIN_WORDS) return "only punctuation";
        for (String w : OURS) if (evolved.contains(w)) return "copied the request";
        if (refusal(evolved)) return "refusal";
        return null;
    }

    /** Why an answer to the rewritten task is unusable, or null. */
    public static String answerFailure(String answer) {
        if (answer == null || answer.strip().length() < MIN_CHARS) return "empty answer";
        if (words(answer) < MIN_WORDS) return "answer only punctuation";
        if (refusal(answer)) return "refused to answer";
        return null;
    }

    /** A refusal starts with one of the usual phrases (WizardLM: "sorry" in a short response). */
    static boolean refusal(String text) {
        String head = text.strip().toLowerCase(Locale.ROOT);
        head = head.substring(0, Math.min(head.length(), 80));
        for (String r : REFUSALS) if (head.startsWith(r) || head.contains(" " + r)) return true;
        return false;
    }

    static int words(String s) {
        int n = 0;
        for (java.util.regex.Matcher m = WORD.matcher(s); m.find() && n < MIN_WORDS; ) n++;
        return n;
    }

    private static String normal(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    }
}
