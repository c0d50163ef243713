package dev.codellm.decontam;

import java.io.Serializable;
import java.util.BitSet;
import java.util.Map;

/**
 * One decontamination method, built once from the benchmark items and then shared read-only by
 * all worker threads (or Spark executors); each worker gets its own {@link Scanner}.
 */
public interface Method extends Serializable {

    /** {@code openai50}, {@code ngram} or {@code exact}. */
    String name();

    TaskLabels tasks();

    Scanner newScanner();

    /** Parameters and item counts for the report (kept items, skipped too-short items...). */
    Map<String, Object> describe();

    /** Per-thread matching state for one record at a time. Not thread-safe. */
    interface Scanner {
        /** Starts a new record. */
        void reset();

        /** Feeds one string value of the record (the text is only read during the call). */
        void field(char[] text, int off, int len);

        /**
         * True when this scanner only looks at the letters-and-digits normalisation of the text
         * ({@link Normalizer#lettersAndDigits}): the caller may then normalise straight from the
         * JSON bytes and call {@link #normalisedField} instead of {@link #field}.
         */
        default boolean wantsNormalised() { return false; }

        /** Feeds one string value already normalised to letters and digits. */
        default void normalisedField(char[] norm, int len) {
            throw new UnsupportedOperationException("this scanner reads raw text");
        }

        /** Sets the bit of every task the record matched. */
        void matches(BitSet out);
    }
}
