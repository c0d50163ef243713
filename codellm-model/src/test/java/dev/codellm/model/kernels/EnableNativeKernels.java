package dev.codellm.model.kernels;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For tests that compare the opt-in native kernels with the Java ones: native is switched on
 * before each test and put back to this JVM's default after it, so no test leaks the setting
 * into the next. Use with {@code @ExtendWith(EnableNativeKernels.class)}.
 */
public final class EnableNativeKernels implements BeforeEachCallback, AfterEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        NativeKernels.setEnabled(true);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        NativeKernels.setEnabled(NativeKernels.DEFAULT_ENABLED);
    }
}
