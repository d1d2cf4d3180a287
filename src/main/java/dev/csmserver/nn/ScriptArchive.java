package dev.csmserver.nn;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A weightless TorchScript module loaded from its source alone: the source resource (TorchScript's
 * serialized dialect, the {@code code/__torch__.py} of a saved module) is zipped at load with the
 * fixed records a saved module of one class with no attributes has, and libtorch compiles it while
 * loading. No Python or PyTorch is needed to build it, and the source resource is the only copy of
 * the module's code.
 */
public final class ScriptArchive {
    private ScriptArchive() {}

    /**
     * Loads the module class {@code className} whose source is the classpath resource {@code
     * source}, owned by {@code manager} (it lives as long as that manager).
     */
    public static PtSymbolBlock load(NDManager manager, String className, String source) {
        try (InputStream in = ScriptArchive.class.getResourceAsStream(source)) {
            if (in == null) {
                throw new IOException(source + " is missing from the classpath");
            }
            byte[] archive = archive(className, in.readAllBytes());
            return JniUtils.loadModule(
                    (PtNDManager) manager, new ByteArrayInputStream(archive), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The zip libtorch's {@code torch::jit::load} reads: code, data.pkl, constants.pkl, version.
     */
    static byte[] archive(String className, byte[] code) throws IOException {
        String root = "archive/";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, root + "data.pkl", dataPkl(className));
            stored(zip, root + "code/__torch__.py", code);
            stored(zip, root + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // ()
            stored(zip, root + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    /**
     * The pickled module object: {@code __torch__.<className>} with {@code training=False} and
     * {@code _is_full_backward_hook=None} (pickle protocol 2, what torch.jit.save writes).
     */
    static byte[] dataPkl(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2); // PROTO 2
        p.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(new byte[] {'q', 0, ')', (byte) 0x81, '}', '('}); // BINPUT, NEWOBJ, dict
        unicode(p, "training");
        p.writeBytes(new byte[] {'q', 1, (byte) 0x89}); // False
        unicode(p, "_is_full_backward_hook");
        p.writeBytes(new byte[] {'q', 2, 'N', 'u', 'b', 'q', 3, '.'}); // None, SETITEMS, BUILD
        return p.toByteArray();
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.write(b.length);
        p.write(b.length >>> 8);
        p.write(b.length >>> 16);
        p.write(b.length >>> 24);
        p.writeBytes(b);
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
