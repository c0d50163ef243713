package dev.codellm.model.generate;

import java.util.ArrayList;
import java.util.List;

/** A prompt as a sequence of {@link PromptPart}s, turned into ids by {@link PromptEncoder}. */
public record Prompt(List<PromptPart> parts) {
    public Prompt {
        parts = List.copyOf(parts);
    }

    /**
     * A readable form for logs, tests and {@code --verbose}: BOS/EOS as {@code <s>}/{@code </s>},
     * FIM tokens as Code Llama's pieces ({@code ▁<PRE>} shown as {@code " <PRE>"}), and — when
     * {@code dummyPrefix} — the space a SentencePiece tokenizer puts before each separately
     * encoded {@link PromptPart.Text}.
     */
    public String render(boolean dummyPrefix) {
        StringBuilder sb = new StringBuilder();
        for (PromptPart p : parts) {
            switch (p) {
                case PromptPart.Bos b -> sb.append("<s>");
                case PromptPart.Eos e -> sb.append("</s>");
                case PromptPart.Fim f -> sb.append(' ').append(f.token().display());
                case PromptPart.Text t -> sb.append(dummyPrefix ? " " : "").append(t.text());
                case PromptPart.RawText r -> sb.append(r.text());
            }
        }
        return sb.toString();
    }

    /** Builds prompts part by part. */
    public static final class Builder {
        private final List<PromptPart> parts = new ArrayList<>();

        public Builder bos() { parts.add(new PromptPart.Bos()); return this; }
        public Builder eos() { parts.add(new PromptPart.Eos()); return this; }
        public Builder fim(PromptPart.FimToken t) { parts.add(new PromptPart.Fim(t)); return this; }
        public Builder text(String s) { parts.add(new PromptPart.Text(s, false)); return this; }
        public Builder textWithSpecials(String s) { parts.add(new PromptPart.Text(s, true)); return this; }
        public Builder rawText(String s) { parts.add(new PromptPart.RawText(s)); return this; }
        public Builder rawTextWithSpecials(String s) { parts.add(new PromptPart.RawText(s, true)); return this; }
        public Builder append(Prompt p) { parts.addAll(p.parts()); return this; }
        public Prompt build() { return new Prompt(parts); }
    }

    public static Builder builder() { return new Builder(); }
}
