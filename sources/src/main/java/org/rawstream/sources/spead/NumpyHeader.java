package org.rawstream.sources.spead;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dict of a {@code .npy} header, e.g. {@code {'descr': '>u4', 'fortran_order': False,
 * 'shape': (4096,)}}, parsed by a small reader of Python literals (strings, ints, True/False,
 * tuples, lists, dicts). Structured dtypes are lists of (name, descr) pairs.
 */
public final class NumpyHeader {

    /** Longest header accepted: numpy itself caps headers well below this. */
    public static final int MAX_LENGTH = 65536;

    private final SpeadDtype dtype;
    private final boolean fortranOrder;
    private final long[] shape;

    private NumpyHeader(SpeadDtype dtype, boolean fortranOrder, long[] shape) {
        this.dtype = dtype;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
    }

    /** Parses a header dict; throws IllegalArgumentException when it is not a valid one. */
    public static NumpyHeader parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("numpy header longer than " + MAX_LENGTH);
        }
        Object value = new LiteralReader(text).readTop();
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("numpy header is not a dict: " + text);
        }
        Map<?, ?> dict = (Map<?, ?>) value;
        Object descr = dict.get("descr");
        Object fortran = dict.get("fortran_order");
        Object shapeValue = dict.get("shape");
        if (descr == null || !(fortran instanceof Boolean) || !(shapeValue instanceof List)) {
            throw new IllegalArgumentException("numpy header needs descr, fortran_order and shape: " + text);
        }
        List<?> dims = (List<?>) shapeValue;
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long) || (Long) dims.get(i) < 0) {
                throw new IllegalArgumentException("bad shape in numpy header: " + text);
            }
            shape[i] = (Long) dims.get(i);
        }
        return new NumpyHeader(dtypeOf(descr), (Boolean) fortran, shape);
    }

    private static SpeadDtype dtypeOf(Object descr) {
        if (descr instanceof String) {
            return SpeadDtype.fromNumpyDescr(List.of((String) descr), List.of(""));
        }
        if (descr instanceof List) {
            List<String> codes = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Object field : (List<?>) descr) {
                if (!(field instanceof List) || ((List<?>) field).size() != 2
                        || !(((List<?>) field).get(0) instanceof String)
                        || !(((List<?>) field).get(1) instanceof String)) {
                    throw new IllegalArgumentException("unsupported structured dtype field: " + field);
                }
                names.add((String) ((List<?>) field).get(0));
                codes.add((String) ((List<?>) field).get(1));
            }
            return SpeadDtype.fromNumpyDescr(codes, names);
        }
        throw new IllegalArgumentException("unsupported descr: " + descr);
    }

    public SpeadDtype dtype() {
        return dtype;
    }

    public boolean fortranOrder() {
        return fortranOrder;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Reads Python literals; tuples and lists both become Lists, ints Longs. */
    private static final class LiteralReader {
        private static final int MAX_DEPTH = 16;
        private final String s;
        private int pos;

        LiteralReader(String s) {
            this.s = s;
        }

        Object readTop() {
            Object v = read(0);
            skipSpace();
            if (pos != s.length()) {
                throw error("trailing characters");
            }
            return v;
        }

        private Object read(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested too deeply");
            }
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return readDict(depth);
                case '(':
                    return readSequence(')', depth);
                case '[':
                    return readSequence(']', depth);
                case '\'':
                case '"':
                    return readString(c);
                default:
                    if (c == '-' || Character.isDigit(c)) {
                        return readInt();
                    }
                    if (s.startsWith("True", pos)) {
                        pos += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("False", pos)) {
                        pos += 5;
                        return Boolean.FALSE;
                    }
                    throw error("unexpected character '" + c + "'");
            }
        }

        private Map<Object, Object> readDict(int depth) {
            pos++;
            Map<Object, Object> map = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    return map;
                }
                Object key = read(depth + 1);
                skipSpace();
                expect(':');
                Object value = read(depth + 1);
                map.put(key, value);
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private List<Object> readSequence(char close, int depth) {
            pos++;
            List<Object> list = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == close) {
                    pos++;
                    return list;
                }
                list.add(read(depth + 1));
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != close) {
                    throw error("expected ',' or '" + close + "'");
                }
            }
        }

        private String readString(char quote) {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (pos < s.length() && s.charAt(pos) != quote) {
                char c = s.charAt(pos++);
                if (c == '\\' && pos < s.length()) {
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            pos++;
            return sb.toString();
        }

        private Long readInt() {
            int begin = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (pos < s.length() && s.charAt(pos) == 'L') {
                pos++; // Python 2 long suffix
                return Long.parseLong(s.substring(begin, pos - 1));
            }
            try {
                return Long.parseLong(s.substring(begin, pos));
            } catch (NumberFormatException e) {
                throw error("bad integer");
            }
        }

        private char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("numpy header: " + what + " at " + pos);
        }
    }
}
