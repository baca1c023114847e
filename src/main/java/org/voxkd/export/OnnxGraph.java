package org.voxkd.export;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.voxkd.export.proto.Onnx.AttributeProto;
import org.voxkd.export.proto.Onnx.NodeProto;
import org.voxkd.export.proto.Onnx.TensorProto;
import org.voxkd.export.proto.Onnx;
import org.voxkd.ledger.Version;

/**
 * A small builder of ONNX graphs over the protobuf classes generated from {@code src/main/proto/onnx.proto}:
 * initializers from Java arrays (raw little-endian data), nodes with attributes, inputs and outputs with
 * named (dynamic) or fixed dimensions. Node and tensor names are unique: {@link #name} appends a counter
 * to a stem such as {@code blocks.0.fc1/MatMul}, so a graph reads like the PyTorch module tree.
 */
public final class OnnxGraph {
    /** ONNX IR version and default-domain opset written into every model (IR 8 pairs with opset 17). */
    public static final long IR_VERSION = 8, OPSET = 17;
    /** Element-type numbers, as Cast's {@code to} attribute takes them. */
    public static final long FLOAT = TensorProto.DataType.FLOAT.getNumber(), INT32 = TensorProto.DataType.INT32.getNumber();

    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
    private final Map<String, Integer> used = new HashMap<>();
    private final Map<String, Long> opsets = new LinkedHashMap<>();

    public OnnxGraph(String name) {
        graph.setName(name);
        opsets.put("", OPSET);
    }

    /** One attribute of a node. */
    public record Attr(AttributeProto proto) {
        public static Attr i(String name, long v) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build());
        }

        public static Attr f(String name, float v) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build());
        }

        public static Attr s(String name, String v) {
            return new Attr(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(v)).build());
        }

        public static Attr ints(String name, long... v) {
            AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long x : v) b.addInts(x);
            return new Attr(b.build());
        }
    }

    /** A unique name from a stem: the stem itself the first time, then stem_1, stem_2, … */
    public String name(String stem) {
        int n = used.merge(stem, 1, Integer::sum);
        return n == 1 ? stem : stem + "_" + (n - 1);
    }

    /** A graph input of element type {@code elemType}; each dimension is an Integer (fixed) or a String (named, dynamic). */
    public String input(String name, TensorProto.DataType elemType, Object... dims) {
        graph.addInput(valueInfo(name, elemType, dims));
        return name;
    }

    /** A graph output; {@code dims} may be empty (shape left to the runtime). */
    public void output(String name, TensorProto.DataType elemType, Object... dims) {
        graph.addOutput(valueInfo(name, elemType, dims));
    }

    private static Onnx.ValueInfoProto valueInfo(String name, TensorProto.DataType elemType, Object... dims) {
        Onnx.TypeProto.Tensor.Builder t = Onnx.TypeProto.Tensor.newBuilder().setElemType(elemType.getNumber());
        if (dims.length > 0) {
            Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
            for (Object d : dims) {
                if (d instanceof Integer v) s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(v));
                else s.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam((String) d));
            }
            t.setShape(s);
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(t)).build();
    }

    /** An initializer of {@code length} values of {@code width} bytes that {@code fill} writes (little-endian, as ONNX stores them). */
    private String initializer(String stem, TensorProto.DataType type, int[] shape, int length, int width, java.util.function.Consumer<ByteBuffer> fill) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != length) throw new IllegalArgumentException(stem + ": shape " + java.util.Arrays.toString(shape) + " holds " + n + " values, got " + length);
        ByteBuffer raw = ByteBuffer.allocate(width * length).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(raw);
        String name = name(stem);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(ByteString.copyFrom(raw.array()));
        for (int d : shape) t.addDims(d);
        graph.addInitializer(t);
        return name;
    }

    public String floats(String stem, float[] v, int... shape) {
        return initializer(stem, TensorProto.DataType.FLOAT, shape, v.length, 4, b -> b.asFloatBuffer().put(v));
    }

    /** float16 values (IEEE half, round to nearest even) of {@code v}. */
    public String halfs(String stem, float[] v, int... shape) {
        return initializer(stem, TensorProto.DataType.FLOAT16, shape, v.length, 2, b -> {
            for (float x : v) b.putShort(Float.floatToFloat16(x));
        });
    }

    public String int8s(String stem, byte[] v, int... shape) { return initializer(stem, TensorProto.DataType.INT8, shape, v.length, 1, b -> b.put(v)); }

    public String uint8s(String stem, byte[] v, int... shape) { return initializer(stem, TensorProto.DataType.UINT8, shape, v.length, 1, b -> b.put(v)); }

    public String int32s(String stem, int[] v, int... shape) {
        return initializer(stem, TensorProto.DataType.INT32, shape, v.length, 4, b -> b.asIntBuffer().put(v));
    }

    public String int64s(String stem, long[] v, int... shape) {
        return initializer(stem, TensorProto.DataType.INT64, shape, v.length, 8, b -> b.asLongBuffer().put(v));
    }

    /** A float scalar (rank 0). */
    public String scalar(String stem, float v) { return floats(stem, new float[] {v}); }

    /** A 1-D int64 vector (axes, shapes, split sizes). */
    public String longs(String stem, long... v) { return int64s(stem, v, v.length); }

    /** A node with one output, named from {@code stem}; returns the output's name. */
    public String node(String stem, String op, String[] inputs, Attr... attrs) {
        return nodeN(stem, op, "", 1, inputs, attrs)[0];
    }

    /** A node with {@code outputs} outputs in {@code domain} ("" = the default ONNX domain). */
    public String[] nodeN(String stem, String op, String domain, int outputs, String[] inputs, Attr... attrs) {
        String n = name(stem + "/" + op);
        NodeProto.Builder b = NodeProto.newBuilder().setName(n).setOpType(op);
        if (!domain.isEmpty()) b.setDomain(domain);
        for (String in : inputs) b.addInput(in == null ? "" : in);
        String[] outs = new String[outputs];
        for (int i = 0; i < outputs; i++) b.addOutput(outs[i] = outputs == 1 ? n + "_out" : n + "_out" + i);
        for (Attr a : attrs) b.addAttribute(a.proto());
        graph.addNode(b);
        return outs;
    }

    /** A node whose single output has the given (public) name, e.g. a graph output. */
    public String nodeTo(String output, String stem, String op, String[] inputs, Attr... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setName(name(stem + "/" + op)).setOpType(op).addOutput(output);
        for (String in : inputs) b.addInput(in);
        for (Attr a : attrs) b.addAttribute(a.proto());
        graph.addNode(b);
        return output;
    }

    public static String[] in(String... names) { return names; }

    /** The finished model: this graph, the opsets used, producer fields and {@code metadata} as metadata_props. */
    public Onnx.ModelProto model(String docString, Map<String, String> metadata) {
        Onnx.ModelProto.Builder m = Onnx.ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("voxkd")
                .setProducerVersion(Version.version()).setDocString(docString).setGraph(graph);
        opsets.forEach((domain, v) -> m.addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(v)));
        metadata.forEach((k, v) -> m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }
}
