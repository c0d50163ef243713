package dev.codellm.model.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One typed metadata value. Java representation of {@link #value()} by GGUF type:
 * <ul>
 *   <li>UINT8, INT8, UINT16, INT16, INT32 → {@link Integer} (unsigned types zero-extended)</li>
 *   <li>UINT32, INT64, UINT64 → {@link Long} (UINT64 keeps its raw 64 bits)</li>
 *   <li>FLOAT32 → {@link Float}, FLOAT64 → {@link Double}, BOOL → {@link Boolean}, STRING → {@link String}</li>
 *   <li>ARRAY → by element type: the int-sized integer types → {@code int[]}; UINT32/INT64/UINT64 →
 *       {@code long[]}; FLOAT32 → {@code float[]}; FLOAT64 → {@code double[]}; BOOL → {@code boolean[]};
 *       STRING → {@code List<String>}; ARRAY (nested) → {@code List<GgufValue>}, each itself an ARRAY.</li>
 * </ul>
 * The type is kept so that a file read and written again keeps exactly the same types (llama.cpp
 * checks them, e.g. {@code llama.context_length} must be UINT32).
 *
 * @param type        the value's type
 * @param elementType for ARRAY, the element type; otherwise null
 * @param value       the Java value as described above
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {

    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((type == GgufValueType.ARRAY) != (elementType != null))
            throw new IllegalArgumentException("elementType must be given exactly for ARRAY values");
        Class<?> expected = type == GgufValueType.ARRAY ? arrayClass(elementType) : scalarClass(type);
        if (!expected.isInstance(value))
            throw new IllegalArgumentException(describeType(type, elementType) + " needs a " + expected.getSimpleName()
                    + ", got " + value.getClass().getSimpleName());
        if (value instanceof List<?> list && !(value instanceof LazyStrings)) {
            value = List.copyOf(list);
            for (Object o : (List<?>) value) {
                Class<?> want = elementType == GgufValueType.STRING ? String.class : GgufValue.class;
                if (!want.isInstance(o)) throw new IllegalArgumentException("array of " + elementType + " holds a " + o.getClass().getSimpleName());
                if (o instanceof GgufValue g && g.type != GgufValueType.ARRAY)
                    throw new IllegalArgumentException("nested array element must be an ARRAY value, got " + g.type);
            }
        }
    }

    private static Class<?> scalarClass(GgufValueType t) {
        if (t.fitsInt()) return Integer.class;
        if (t.isLong()) return Long.class;
        return switch (t) {
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            default -> throw new IllegalStateException(t.toString());
        };
    }

    private static Class<?> arrayClass(GgufValueType e) {
        if (e.fitsInt()) return int[].class;
        if (e.isLong()) return long[].class;
        return switch (e) {
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING, ARRAY -> List.class;
            default -> throw new IllegalStateException(e.toString());
        };
    }

    static String describeType(GgufValueType type, GgufValueType elementType) {
        return type == GgufValueType.ARRAY ? "ARRAY[" + elementType + "]" : type.toString();
    }

    /** "UINT32" or "ARRAY[STRING]". */
    public String typeName() { return describeType(type, elementType); }

    /** Number of elements of an array value (1 for scalars). */
    public int length() {
        return switch (value) {
            case int[] a -> a.length;
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case List<?> l -> l.size();
            default -> 1;
        };
    }

    /** The value with nested arrays unwrapped to {@code List<Object>} of plain values. */
    public Object plain() {
        if (elementType == GgufValueType.ARRAY) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) value) out.add(((GgufValue) o).plain());
            return out;
        }
        return value;
    }

    public static GgufValue ofString(String s) { return new GgufValue(GgufValueType.STRING, null, s); }
    public static GgufValue ofBool(boolean b) { return new GgufValue(GgufValueType.BOOL, null, b); }
    public static GgufValue ofFloat32(float f) { return new GgufValue(GgufValueType.FLOAT32, null, f); }
    public static GgufValue ofFloat64(double d) { return new GgufValue(GgufValueType.FLOAT64, null, d); }
    public static GgufValue ofInt32(int v) { return new GgufValue(GgufValueType.INT32, null, v); }
    public static GgufValue ofInt64(long v) { return new GgufValue(GgufValueType.INT64, null, v); }
    public static GgufValue ofUInt64(long rawBits) { return new GgufValue(GgufValueType.UINT64, null, rawBits); }

    public static GgufValue ofUInt32(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) throw new IllegalArgumentException("UINT32 out of range: " + v);
        return new GgufValue(GgufValueType.UINT32, null, v);
    }

    /** A small integer scalar of the given int-sized type (UINT8, INT8, UINT16, INT16, INT32), range-checked. */
    public static GgufValue ofInt(GgufValueType type, int v) {
        checkIntRange(type, v);
        return new GgufValue(type, null, v);
    }

    public static GgufValue ofStrings(List<String> list) { return new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, list); }
    public static GgufValue ofFloats(float[] a) { return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, a.clone()); }
    public static GgufValue ofDoubles(double[] a) { return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT64, a.clone()); }
    public static GgufValue ofBools(boolean[] a) { return new GgufValue(GgufValueType.ARRAY, GgufValueType.BOOL, a.clone()); }
    public static GgufValue ofInt32s(int[] a) { return ofInts(GgufValueType.INT32, a); }
    public static GgufValue ofArrays(List<GgufValue> arrays) { return new GgufValue(GgufValueType.ARRAY, GgufValueType.ARRAY, arrays); }

    /** An array of an int-sized integer type, range-checked. */
    public static GgufValue ofInts(GgufValueType elementType, int[] a) {
        if (!elementType.fitsInt()) throw new IllegalArgumentException(elementType + " is not an int-sized type");
        for (int v : a) checkIntRange(elementType, v);
        return new GgufValue(GgufValueType.ARRAY, elementType, a.clone());
    }

    /** An array of UINT32, INT64 or UINT64. */
    public static GgufValue ofLongs(GgufValueType elementType, long[] a) {
        if (!elementType.isLong()) throw new IllegalArgumentException(elementType + " is not a long-sized type");
        if (elementType == GgufValueType.UINT32)
            for (long v : a) if (v < 0 || v > 0xFFFF_FFFFL) throw new IllegalArgumentException("UINT32 out of range: " + v);
        return new GgufValue(GgufValueType.ARRAY, elementType, a.clone());
    }

    private static void checkIntRange(GgufValueType type, int v) {
        boolean ok = switch (type) {
            case UINT8 -> v >= 0 && v <= 0xFF;
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case UINT16 -> v >= 0 && v <= 0xFFFF;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case INT32 -> true;
            default -> throw new IllegalArgumentException(type + " is not an int-sized type");
        };
        if (!ok) throw new IllegalArgumentException(type + " out of range: " + v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufValue g && g.type == type && g.elementType == elementType
                && Objects.deepEquals(value, g.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType, Arrays.deepHashCode(new Object[] {value}));
    }

    @Override
    public String toString() {
        return typeName() + ":" + switch (value) {
            case int[] a -> Arrays.toString(a);
            case long[] a -> Arrays.toString(a);
            case float[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            case boolean[] a -> Arrays.toString(a);
            default -> String.valueOf(value);
        };
    }
}
