package dev.codellm.decontam.parquet;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Base64;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * A Parquet row as one JSON object: every column, in schema order, a missing value as
 * {@code null} (so records keep all their columns). Strings (STRING, ENUM, JSON) as JSON strings,
 * other binary as base64, integers and floats as numbers (NaN/Infinity as strings), decimals as
 * exact numbers, DATE as {@code 2024-01-31}, TIME as {@code 10:15:30}, TIMESTAMP and legacy INT96
 * as ISO-8601 UTC instants ({@code 2024-01-31T10:15:30Z}), LIST as arrays, MAP as objects (keys as
 * text), other groups as objects. The rules are ours, fixed here, not an engine's: the Spark job
 * uses this class too, so both runs write the same bytes.
 */
final class RowJson {
    private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;
    private final GroupType schema;
    private final StringBuilder sb = new StringBuilder(1024);
    private final JsonStringEncoder enc = JsonStringEncoder.getInstance();

    RowJson(GroupType schema) {
        this.schema = schema;
    }

    String render(Group row) {
        sb.setLength(0);
        object(row, schema);
        return sb.toString();
    }

    private void object(Group g, GroupType type) {
        sb.append('{');
        for (int i = 0; i < type.getFieldCount(); i++) {
            if (i > 0) sb.append(',');
            string(type.getFieldName(i));
            sb.append(':');
            field(g, i, type.getType(i));
        }
        sb.append('}');
    }

    /** Field i of g: an array when repeated, else its one value or null. */
    private void field(Group g, int i, Type t) {
        int n = g.getFieldRepetitionCount(i);
        if (t.isRepetition(Type.Repetition.REPEATED)) {
            sb.append('[');
            for (int k = 0; k < n; k++) {
                if (k > 0) sb.append(',');
                value(g, i, k, t);
            }
            sb.append(']');
        } else if (n == 0) {
            sb.append("null");
        } else {
            value(g, i, 0, t);
        }
    }

    private void value(Group g, int i, int k, Type t) {
        if (t.isPrimitive()) {
            primitive(g, i, k, t.asPrimitiveType());
            return;
        }
        Group v = g.getGroup(i, k);
        GroupType gt = t.asGroupType();
        LogicalTypeAnnotation a = gt.getLogicalTypeAnnotation();
        if (a instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && gt.getFieldCount() == 1) list(v, gt);
        else if ((a instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
                || a instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) && gt.getFieldCount() == 1) map(v, gt);
        else object(v, gt);
    }

    /** LIST: 3-level ({@code repeated group list { element }}) or legacy 2-level (the repeated field is the element). */
    private void list(Group g, GroupType listType) {
        Type rep = listType.getType(0);
        boolean threeLevel = !rep.isPrimitive() && rep.asGroupType().getFieldCount() == 1
                && !rep.getName().equals("array") && !rep.getName().equals(listType.getName() + "_tuple");
        sb.append('[');
        int n = g.getFieldRepetitionCount(0);
        for (int k = 0; k < n; k++) {
            if (k > 0) sb.append(',');
            if (threeLevel) {
                Group wrapper = g.getGroup(0, k);
                Type element = rep.asGroupType().getType(0);
                if (wrapper.getFieldRepetitionCount(0) == 0) sb.append("null");
                else value(wrapper, 0, 0, element);
            } else {
                value(g, 0, k, rep);
            }
        }
        sb.append(']');
    }

    /** MAP: {@code repeated group key_value { key; value }} as an object; keys rendered as text. */
    private void map(Group g, GroupType mapType) {
        GroupType kv = mapType.getType(0).asGroupType();
        sb.append('{');
        int n = g.getFieldRepetitionCount(0);
        for (int k = 0; k < n; k++) {
            if (k > 0) sb.append(',');
            Group entry = g.getGroup(0, k);
            int keyStart = sb.length();
            value(entry, 0, 0, kv.getType(0));
            if (sb.charAt(keyStart) != '"') {  // a non-string key: quote its JSON text
                String key = sb.substring(keyStart);
                sb.setLength(keyStart);
                string(key);
            }
            sb.append(':');
            if (kv.getFieldCount() < 2 || entry.getFieldRepetitionCount(1) == 0) sb.append("null");
            else value(entry, 1, 0, kv.getType(1));
        }
        sb.append('}');
    }

    private void primitive(Group g, int i, int k, PrimitiveType t) {
        LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
        switch (t.getPrimitiveTypeName()) {
            case BOOLEAN -> sb.append(g.getBoolean(i, k));
            case INT32 -> {
                int v = g.getInteger(i, k);
                if (a instanceof DecimalLogicalTypeAnnotation d) sb.append(BigDecimal.valueOf(v, d.getScale()).toPlainString());
                else if (a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) string(LocalDate.ofEpochDay(v).toString());
                else if (a instanceof TimeLogicalTypeAnnotation) string(LocalTime.ofNanoOfDay(v * 1_000_000L).toString());
                else if (a instanceof IntLogicalTypeAnnotation it && !it.isSigned()) sb.append(Integer.toUnsignedLong(v));
                else sb.append(v);
            }
            case INT64 -> {
                long v = g.getLong(i, k);
                if (a instanceof DecimalLogicalTypeAnnotation d) sb.append(BigDecimal.valueOf(v, d.getScale()).toPlainString());
                else if (a instanceof TimestampLogicalTypeAnnotation ts) string(instant(v, ts.getUnit()).toString());
                else if (a instanceof TimeLogicalTypeAnnotation tm) string(LocalTime.ofNanoOfDay(nanos(v, tm.getUnit())).toString());
                else if (a instanceof IntLogicalTypeAnnotation it && !it.isSigned()) sb.append(Long.toUnsignedString(v));
                else sb.append(v);
            }
            case INT96 -> string(int96(g.getInt96(i, k)).toString());
            case FLOAT -> number(g.getFloat(i, k));
            case DOUBLE -> number(g.getDouble(i, k));
            case BINARY, FIXED_LEN_BYTE_ARRAY -> binary(g.getBinary(i, k), a);
        }
    }

    private void binary(Binary b, LogicalTypeAnnotation a) {
        if (a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || a instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                || a instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
            string(b.toStringUsingUTF8());
        } else if (a instanceof DecimalLogicalTypeAnnotation d) {
            sb.append(new BigDecimal(new BigInteger(b.getBytes()), d.getScale()).toPlainString());
        } else if (a instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
            ByteBuffer u = b.toByteBuffer();
            string(new java.util.UUID(u.getLong(), u.getLong()).toString());
        } else {
            string(Base64.getEncoder().encodeToString(b.getBytes()));
        }
    }

    private void number(double d) {
        if (Double.isFinite(d)) sb.append(d);
        else string(Double.toString(d));
    }

    private void string(String s) {
        sb.append('"');
        enc.quoteAsString(s, sb);
        sb.append('"');
    }

    private static long nanos(long v, TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> v * 1_000_000L;
            case MICROS -> v * 1_000L;
            case NANOS -> v;
        };
    }

    private static Instant instant(long v, TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> Instant.ofEpochMilli(v);
            case MICROS -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1_000L);
            case NANOS -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L), Math.floorMod(v, 1_000_000_000L));
        };
    }

    /** Legacy INT96 timestamp (Spark, Impala): nanoseconds of the day, then the Julian day, little-endian. */
    private static Instant int96(Binary b) {
        ByteBuffer buf = b.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long nanosOfDay = buf.getLong();
        long julianDay = Integer.toUnsignedLong(buf.getInt());
        return Instant.ofEpochSecond((julianDay - JULIAN_DAY_OF_EPOCH) * 86_400L).plusNanos(nanosOfDay);
    }
}
