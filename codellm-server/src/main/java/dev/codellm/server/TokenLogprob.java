package dev.codellm.server;

import java.util.List;

/** The chosen token's log-probability and the most likely alternatives at that position. */
public record TokenLogprob(String token, double logprob, List<Alternative> top) {
    public record Alternative(String token, double logprob) {}
}
