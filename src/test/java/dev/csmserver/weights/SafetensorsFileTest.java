package dev.csmserver.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir Path dir;

    /** Writes a safetensors file with the given header JSON and data bytes. */
    private Path write(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void readsF32AndWidensBf16AndF16() throws IOException {
        byte[] f32 = floats(1.5f, -2f);
        ByteBuffer bf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        bf.putShort((short) (Float.floatToIntBits(1.5f) >>> 16))
                .putShort((short) (Float.floatToIntBits(-2f) >>> 16));
        ByteBuffer hf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        hf.putShort((short) 0x3E00).putShort((short) 0xC000); // 1.5, -2 in binary16
        byte[] all = new byte[16];
        System.arraycopy(f32, 0, all, 0, 8);
        System.arraycopy(bf.array(), 0, all, 8, 4);
        System.arraycopy(hf.array(), 0, all, 12, 4);
        Path p =
                write(
                        "a.safetensors",
                        "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]},"
                                + "\"c\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[12,16]}}",
                        all);
        SafetensorsFile f = SafetensorsFile.open(p);
        assertEquals("pt", f.metadata().get("format"));
        assertArrayEquals(new float[] {1.5f, -2f}, f.floats("a"));
        assertArrayEquals(new float[] {1.5f, -2f}, f.floats("b"));
        assertArrayEquals(new float[] {1.5f, -2f}, f.floats("c"));
        assertArrayEquals(new long[] {1, 2}, f.info("b").shape());
        for (String name : new String[] {"a", "b", "c"}) {
            java.util.List<Float> slices = new java.util.ArrayList<>();
            f.emitFloats(
                    name,
                    1,
                    (v, off, count) -> {
                        assertEquals(1, count);
                        slices.add(v[off]);
                    });
            assertEquals(java.util.List.of(1.5f, -2f), slices, name + " read one value at a time");
        }
    }

    @Test
    void halfConversionCoversSubnormalsAndInfinity() {
        assertEquals(0x1p-24f, DtypeConversion.halfToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, DtypeConversion.halfToFloat((short) 0x7C00));
        assertEquals(65504f, DtypeConversion.halfToFloat((short) 0x7BFF));
        assertEquals(-0f, DtypeConversion.halfToFloat((short) 0x8000));
    }

    @Test
    void missingFileIsNamed() {
        var e =
                assertThrows(
                        WeightsException.class,
                        () -> SafetensorsFile.open(dir.resolve("nope.safetensors")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void truncatedDataIsRejected() throws IOException {
        Path p =
                write(
                        "t.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                        floats(1f));
        var e = assertThrows(WeightsException.class, () -> SafetensorsFile.open(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void badHeaderLengthAndJsonAreRejected() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThrows(WeightsException.class, () -> SafetensorsFile.open(tiny));
        Path huge = dir.resolve("huge.safetensors");
        ByteBuffer b =
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        Files.write(huge, b.array());
        var e1 = assertThrows(WeightsException.class, () -> SafetensorsFile.open(huge));
        assertTrue(e1.getMessage().contains("header length"), e1.getMessage());
        Path notJson = write("j.safetensors", "{not json", new byte[0]);
        var e2 = assertThrows(WeightsException.class, () -> SafetensorsFile.open(notJson));
        assertTrue(e2.getMessage().contains("JSON"), e2.getMessage());
    }

    @Test
    void wrongDtypeAndShapeMismatchAreRejected() throws IOException {
        Path p =
                write(
                        "d.safetensors",
                        "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                        new byte[8]);
        var e = assertThrows(WeightsException.class, () -> SafetensorsFile.open(p));
        assertTrue(e.getMessage().contains("dtype 'C64'"), e.getMessage());
        Path q =
                write(
                        "s.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                        new byte[8]);
        var e2 = assertThrows(WeightsException.class, () -> SafetensorsFile.open(q));
        assertTrue(e2.getMessage().contains("do not hold shape"), e2.getMessage());
    }

    @Test
    void missingAndMisShapedTensorsAreNamedByWeights() throws IOException {
        Path p =
                write(
                        "w.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        floats(1, 2));
        Weights w = new Weights(Checkpoint.open(p).tensors());
        var e = assertThrows(WeightsException.class, () -> w.host("b"));
        assertTrue(e.getMessage().contains("missing tensor 'b'"), e.getMessage());
        var e2 = assertThrows(WeightsException.class, () -> w.host("a", 3));
        assertTrue(e2.getMessage().contains("expected [3]"), e2.getMessage());
    }

    @Test
    void readsShardedIndex() throws IOException {
        write(
                "s1.safetensors",
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                floats(7));
        write(
                "s2.safetensors",
                "{\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                floats(9));
        Path index = dir.resolve("transformers.safetensors.index.json");
        Files.writeString(
                index,
                "{\"metadata\":{},\"weight_map\":{\"x\":\"s1.safetensors\",\"y\":\"s2.safetensors\"}}");
        Checkpoint c = Checkpoint.open(index);
        assertArrayEquals(new float[] {9}, c.tensors().get("y").data());
        assertArrayEquals(new float[] {7}, c.tensors().get("x").data());
    }

    @Test
    void readsGoldenCheckpointsInEveryDtype() {
        Path csm = dev.csmserver.golden.Fixtures.csm();
        Checkpoint f32 = Checkpoint.open(csm.resolve("model.safetensors"));
        Checkpoint bf16 = Checkpoint.open(csm.resolve("model-bf16.safetensors"));
        assertEquals(f32.tensors().keySet(), bf16.tensors().keySet());
        float[] a = f32.tensors().get("projection.weight").data();
        float[] b = bf16.tensors().get("projection.weight").data();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], Math.abs(a[i]) / 128 + 1e-30, "bf16 keeps 8 bits of mantissa");
        }
    }
}
