package dev.codellm.model.kernels;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Runs a test class or method on one kernel path, whatever this JVM's default: {@code JAVA} for
 * tests whose tolerances assume float activations, {@code NATIVE} for the int8 path (skipped, not
 * failed, where the native library is unavailable, e.g. a build without gcc). The method's
 * annotation wins over the class's; after each test the JVM default is restored, so no test leaks
 * its choice into the next. A test may still flip {@link NativeKernels#setEnabled} inside to compare
 * the paths.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(UseKernels.Selector.class)
public @interface UseKernels {
    Path value();

    enum Path { JAVA, NATIVE }

    /** The JUnit extension behind the annotation. */
    final class Selector implements BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            UseKernels choice = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), UseKernels.class)
                    .or(() -> AnnotationSupport.findAnnotation(context.getRequiredTestClass(), UseKernels.class))
                    .orElseThrow();
            if (choice.value() == Path.NATIVE) {
                Assumptions.assumeTrue(NativeKernels.available(), "native kernels unavailable: " + NativeKernels.status());
            }
            NativeKernels.setEnabled(choice.value() == Path.NATIVE);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            NativeKernels.setEnabled(NativeKernels.DEFAULT_ENABLED);
        }
    }
}
