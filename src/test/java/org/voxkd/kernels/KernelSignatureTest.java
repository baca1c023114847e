package org.voxkd.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Range;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.Signature;
import org.voxkd.engine.TaskGraph;

/**
 * The Java↔OpenCL contract without an OpenCL runtime: every {@code __kernel} of {@code tornado-kernels/*.cl} is declared
 * by exactly one {@link Kernel} constant of this package, with the same parameters in the same order — names, float or
 * double buffers (a {@code const} buffer is {@code in}, a writable one {@code out} or {@code inout}), ints and floats —
 * and every declared kernel that runs as its own launch has its {@code .cl} function. A recorded task is checked
 * against its kernel's signature (arity and kinds).
 */
class KernelSignatureTest {
    static final Path KERNELS = Path.of("tornado-kernels"), SOURCES = Path.of("src/main/java/org/voxkd/kernels");

    /** One {@code __kernel} parameter list, written as a {@link Signature} reads ("inout y, in double part, int n"). */
    record ClKernel(String family, String name, List<String> params) {
        String key() { return family + "/" + name; }
    }

    private static final Pattern KERNEL = Pattern.compile("__kernel\\s+(?:__attribute__\\s*\\(\\(.*?\\)\\)\\s*)?void\\s+(\\w+)\\s*\\(([^)]*)\\)",
            Pattern.DOTALL);
    private static final Pattern BUFFER = Pattern.compile("(?:__)?global\\s+(const\\s+)?(float|double)\\s*\\*\\s*(?:restrict\\s+)?(\\w+)");
    private static final Pattern SCALAR = Pattern.compile("(int|float)\\s+(\\w+)");
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+(\\w+)\\(([^)]*)\\)(.*)$");

    /** Every {@code __kernel} of one family's source: comments dropped, macros that define kernels expanded. */
    static List<ClKernel> parse(String family, String source) {
        String src = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", "").replace("\\\n", " ");
        StringBuilder expanded = new StringBuilder();
        Map<String, String[]> macros = new LinkedHashMap<>();
        for (String line : src.split("\n")) {
            Matcher d = DEFINE.matcher(line);
            if (d.matches()) {
                if (d.group(3).contains("__kernel")) macros.put(d.group(1), new String[] {d.group(2), d.group(3)});
                continue;
            }
            Matcher call = Pattern.compile("^\\s*(\\w+)\\((.*)\\)\\s*;?\\s*$").matcher(line);
            if (call.matches() && macros.containsKey(call.group(1))) {
                String[] m = macros.get(call.group(1));
                String[] formals = m[0].split(","), actuals = splitTopLevel(call.group(2));
                String body = m[1];
                for (int i = 0; i < formals.length && i < actuals.length; i++)
                    body = body.replaceAll("\\b" + Pattern.quote(formals[i].trim()) + "\\b", Matcher.quoteReplacement(actuals[i].trim()));
                expanded.append(body).append('\n');
            } else {
                expanded.append(line).append('\n');
            }
        }
        List<ClKernel> out = new ArrayList<>();
        Matcher k = KERNEL.matcher(expanded);
        while (k.find()) {
            String[] ps = k.group(2).split(",");
            List<String> params = new ArrayList<>();
            for (int i = 0; i < ps.length; i++) {
                String p = ps[i].trim();
                Matcher b = BUFFER.matcher(p), s = SCALAR.matcher(p);
                if (b.matches()) {
                    // A buffer is followed by its offset in floats (int): the pair is one View.
                    String off = i + 1 < ps.length ? ps[i + 1].trim() : "";
                    if (!SCALAR.matcher(off).matches() || !off.startsWith("int"))
                        throw new AssertionError(family + ".cl " + k.group(1) + ": buffer " + b.group(3) + " is not followed by its int offset");
                    params.add((b.group(1) != null ? "in" : "out|inout") + (b.group(2).equals("double") ? " double " : " ") + b.group(3));
                    i++;
                } else if (s.matches()) {
                    params.add(s.group(1) + " " + s.group(2));
                } else {
                    throw new AssertionError(family + ".cl " + k.group(1) + ": parameter '" + p + "' is neither a global float/double buffer, an int nor a float");
                }
            }
            out.add(new ClKernel(family, k.group(1), params));
        }
        return out;
    }

    private static String[] splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0, from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(s.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(s.substring(from));
        return parts.toArray(String[]::new);
    }

    /** Every {@code __kernel} of tornado-kernels/, by family/name. */
    static Map<String, ClKernel> clKernels() throws IOException {
        Map<String, ClKernel> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(KERNELS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cl")).sorted().toList()) {
                String family = f.getFileName().toString().replace(".cl", "");
                for (ClKernel k : parse(family, Files.readString(f)))
                    if (out.put(k.key(), k) != null) throw new AssertionError(k.key() + " is defined twice");
            }
        }
        return out;
    }

    /** Every Kernel constant of this package (public or not), with the field that declares it. */
    static Map<Kernel, String> declared() throws Exception {
        Map<Kernel, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Class<?> c = Class.forName("org.voxkd.kernels." + f.getFileName().toString().replace(".java", ""));
                for (Field fd : c.getDeclaredFields())
                    if (Modifier.isStatic(fd.getModifiers()) && fd.getType() == Kernel.class) {
                        fd.setAccessible(true);
                        out.put((Kernel) fd.get(null), c.getSimpleName() + "." + fd.getName());
                    }
            }
        }
        return out;
    }

    /** The differences between the declarations and the OpenCL C sources, one line each; empty when they agree. */
    static List<String> compare(Map<Kernel, String> declared, Map<String, ClKernel> cl) {
        List<String> problems = new ArrayList<>();
        Map<String, String> seen = new TreeMap<>();
        for (Map.Entry<Kernel, String> e : declared.entrySet()) {
            Kernel k = e.getKey();
            String where = e.getValue(), key = k.family() + "/" + k.name();
            if (k.kind() == Kernel.Kind.BLAS) continue;
            ClKernel twin = cl.get(key);
            if (k.lowering() != null) {
                if (twin != null) problems.add(where + " (" + key + ") runs as its lowering's stages, yet " + k.family() + ".cl defines " + k.name());
                continue;
            }
            if (seen.put(key, where) != null) problems.add(key + " is declared twice: " + seen.get(key) + " and " + where);
            if (twin == null) {
                problems.add(where + " declares " + key + ", which tornado-kernels/" + k.family() + ".cl does not define");
                continue;
            }
            List<Signature.Param> ps = k.signature().params();
            if (ps.size() != twin.params().size())
                problems.add(key + ": " + where + " declares " + ps.size() + " parameters (" + k.signature() + "), " + k.family() + ".cl has "
                        + twin.params().size() + " (" + String.join(", ", twin.params()) + ")");
            for (int i = 0; i < Math.min(ps.size(), twin.params().size()); i++) {
                String mine = ps.get(i).toString(), theirs = twin.params().get(i);
                boolean same = theirs.startsWith("out|inout ")
                        ? (mine.startsWith("out ") || mine.startsWith("inout ")) && mine.substring(mine.indexOf(' ') + 1).equals(theirs.substring(10))
                        : mine.equals(theirs);
                if (!same) problems.add(key + " parameter " + i + ": declared '" + mine + "' in " + where + ", '" + theirs + "' in " + k.family() + ".cl");
            }
        }
        for (String key : cl.keySet()) if (!seen.containsKey(key)) problems.add(key + " (tornado-kernels) has no Kernel declaration in kernels/");
        return problems;
    }

    @Test
    void everyClKernelMatchesItsDeclaration() throws Exception {
        Map<String, ClKernel> cl = clKernels();
        assertTrue(cl.size() > 50, "parsed only " + cl.size() + " kernels from tornado-kernels/");
        List<String> problems = compare(declared(), cl);
        assertTrue(problems.isEmpty(), problems.size() + " mismatches between kernels/ and tornado-kernels/:\n  " + String.join("\n  ", problems));
    }

    @Test
    void aSwappedParameterIsCaught() throws Exception {
        // The comparison itself can fail: bias_add with its ints swapped, and with a buffer made const.
        Map<String, ClKernel> cl = new TreeMap<>(clKernels());
        cl.put("linear/bias_add", parse("linear", "__kernel void bias_add(__global float* y, int yo, __global const float* b, int bo, int c, int rows) {}").get(0));
        cl.put("linear/bias_residual", parse("linear", "__kernel void bias_residual(__global const float* y, int yo, __global const float* pre, int po, "
                + "__global const float* b, int bo, __global const float* res, int ro, int rows, float c) {}").get(0));
        List<String> problems = compare(declared(), cl);
        assertEquals(4, problems.size(), String.join("\n", problems));
        assertTrue(problems.get(0).contains("linear/bias_add parameter 2"), problems.get(0));
    }

    @Test
    void macrosThatDefineKernelsAreExpanded() {
        List<ClKernel> ks = parse("x", "#define PW(NAME, E) \\\n__kernel void NAME(__global float* y, int yo, int n) { y[yo] = E; }\nPW(a, 1)\nPW(b, f(2, 3))\n");
        assertEquals(List.of("a", "b"), ks.stream().map(ClKernel::name).toList());
        assertEquals(List.of("out|inout y", "int n"), ks.get(1).params());
    }

    @Test
    void aRecordedTaskIsCheckedAgainstTheSignature() {
        TaskGraph g = new TaskGraph("t");
        Buffer b = new Buffer("b", 8);
        var ok = assertThrows(IllegalArgumentException.class, () -> g.task(Linear.BIAS_ADD, Range.of(8), b.all(), b.all(), 2)).getMessage();
        assertTrue(ok.contains("takes 4 arguments"), ok);
        var kind = assertThrows(IllegalArgumentException.class, () -> g.task(Linear.BIAS_ADD, Range.of(8), b.all(), b.all(), 2, 4f)).getMessage();
        assertTrue(kind.contains("argument 3 (int c)"), kind);
        var scalar = assertThrows(IllegalArgumentException.class,
                () -> g.task(Linear.BIAS_ADD, Range.of(8), b.all(), b.all(), Scalar.ofFloat("r", 2), 4)).getMessage();
        assertTrue(scalar.contains("argument 2 (int rows)"), scalar);
        g.task(Linear.BIAS_ADD, Range.of(8), b.all(), b.all(), Scalar.ofInt("r", 2), 4);
        assertThrows(IllegalArgumentException.class, () -> g.task(Linear.COLSUM_PARTIAL, Range.of(8), b.all(), b.all(), 1, 1, 1));
    }

    @Test
    void declarationsParse() {
        assertEquals("inout y, in double part, int n, float eps", Signature.of("inout y, in double part, int n, float eps").toString());
        assertThrows(IllegalArgumentException.class, () -> Signature.of("inout y, long n"));
        assertThrows(IllegalArgumentException.class, () -> Signature.of("int double n"));
    }
}
