package dev.codellm.model.generate;

import java.beans.FeatureDescriptor;
import java.util.Iterator;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods on strings in templates ({@code content.strip()}, {@code role.title()},
 * {@code text.startswith('<')}, ...), which Jinjava would otherwise look up as Java methods (most of
 * them do not exist there, and Java's {@code strip()} has another idea of whitespace). Other calls
 * fall through to Jinjava's own resolver.
 */
final class PythonStrMethods extends ELResolver {
    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) return null;
        Object[] p = params == null ? new Object[0] : params;
        Object result = switch (method.toString()) {
            case "strip" -> PythonStrings.strip(s, optString(p, 0));
            case "lstrip" -> PythonStrings.lstrip(s, optString(p, 0));
            case "rstrip" -> PythonStrings.rstrip(s, optString(p, 0));
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> PythonStrings.title(s);
            case "capitalize" -> PythonStrings.capitalize(s);
            case "startswith" -> p.length > 0 && s.startsWith(String.valueOf(p[0]));
            case "endswith" -> p.length > 0 && s.endsWith(String.valueOf(p[0]));
            case "split" -> PythonStrings.split(s, optString(p, 0), p.length > 1 ? ((Number) p[1]).intValue() : -1);
            case "replace" -> p.length >= 2 ? s.replace(String.valueOf(p[0]), String.valueOf(p[1])) : null;
            case "find" -> p.length > 0 ? s.indexOf(String.valueOf(p[0])) : null;
            case "count" -> p.length > 0 ? count(s, String.valueOf(p[0])) : null;
            default -> null;
        };
        if (result != null) context.setPropertyResolved(true);
        return result;
    }

    private static String optString(Object[] p, int i) {
        return i < p.length && p[i] != null ? String.valueOf(p[i]) : null;
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1L;
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
        return n;
    }

    @Override public Object getValue(ELContext context, Object base, Object property) { return null; }
    @Override public Class<?> getType(ELContext context, Object base, Object property) { return null; }
    @Override public void setValue(ELContext context, Object base, Object property, Object value) {}
    @Override public boolean isReadOnly(ELContext context, Object base, Object property) { return true; }
    @Override public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) { return null; }
    @Override public Class<?> getCommonPropertyType(ELContext context, Object base) { return null; }
}
