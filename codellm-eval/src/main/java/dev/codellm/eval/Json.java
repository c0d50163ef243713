package dev.codellm.eval;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper for benchmark data. EvalPlus files are written by Python's json module, which
 * emits {@code NaN}, {@code Infinity} and {@code -Infinity} as bare tokens; we read them and write
 * them back the same way (not as strings), so inputs reach the Python harness unchanged.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    private Json() {}
}
