package dev.codellm.model.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * A training example as the prompt layer renders it: segments of prompt parts, each marked as
 * learned (an assistant's answer with its end-of-turn text: loss on these tokens) or not (the
 * prompt). {@link PromptEncoder#encode(LabeledPrompt)} turns it into ids and a per-token mask.
 */
public record LabeledPrompt(List<Segment> segments) {
    public LabeledPrompt {
        segments = List.copyOf(segments);
    }

    public record Segment(Prompt prompt, boolean learned) {}

    /** All parts in order, without the marks: the text the model reads. */
    public Prompt prompt() {
        Prompt.Builder b = Prompt.builder();
        for (Segment s : segments) b.append(s.prompt());
        return b.build();
    }

    static final class Builder {
        private final List<Segment> segments = new ArrayList<>();

        Builder add(Prompt p, boolean learned) {
            if (!p.parts().isEmpty()) segments.add(new Segment(p, learned));
            return this;
        }

        LabeledPrompt build() { return new LabeledPrompt(segments); }
    }
}
