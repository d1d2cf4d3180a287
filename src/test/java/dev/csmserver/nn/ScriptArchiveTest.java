package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Modules built from their source alone: the pickled module object is what torch.jit.save writes
 * (compared with the saved fp16_linear.pt, whose only difference is training=True), and libtorch
 * compiles the heads' source.
 */
class ScriptArchiveTest {
    @Test
    void thePickledModuleIsWhatTorchJitSaveWrites(@TempDir Path tmp) throws IOException {
        byte[] saved;
        Path pt = tmp.resolve("fp16_linear.pt");
        try (InputStream in = getClass().getResourceAsStream("/torchscript/fp16_linear.pt")) {
            Files.copy(in, pt);
        }
        try (ZipFile zip = new ZipFile(pt.toFile());
                InputStream data = zip.getInputStream(zip.getEntry("fp16_linear/data.pkl"))) {
            saved = data.readAllBytes();
        }
        assertNotNull(saved);
        byte[] ours = ScriptArchive.dataPkl("Fp16Linear");
        saved[45] = (byte) 0x89; // NEWTRUE -> NEWFALSE: ours is saved in eval mode
        assertArrayEquals(saved, ours);
    }

    @Test
    void theHeadsSourceCompiles() {
        try (NDManager m = NDManager.newBaseManager()) {
            PtSymbolBlock module = ScriptArchive.load(m, "CsmHeads", "/torchscript/csm_heads.py");
            assertNotNull(module);
        }
    }
}
