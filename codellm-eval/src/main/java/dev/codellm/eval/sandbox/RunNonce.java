package dev.codellm.eval.sandbox;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A fresh per-run secret for an in-sandbox harness's verdict line: given to the run on standard
 * input only (in no file and no environment variable), read by the harness before the sample's
 * code can run where the language allows, and required on the line that says the tests ended.
 */
public final class RunNonce {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunNonce() {}

    /** 128 random bits as 32 lowercase hex digits. */
    public static String fresh() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
