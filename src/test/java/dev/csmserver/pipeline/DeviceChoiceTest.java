package dev.csmserver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The device decision with stand-in answers for the two CUDA questions (what a CUDA node would
 * answer cannot be produced on a CPU machine), then the real questions asked of DJL and the
 * libtorch on this machine.
 */
class DeviceChoiceTest {
    private static final CudaAttempt COUNT_NONE =
            CudaAttempt.failed("DJL's GPU count (JNA loading libcudart)", "0 GPUs");
    private static final CudaAttempt COUNT_ONE =
            CudaAttempt.usable("DJL's GPU count (JNA loading libcudart)", "1 GPU(s)");
    private static final CudaAttempt TORCH_OK =
            CudaAttempt.usable("libtorch: a tensor on cuda:0", "ok");
    private static final CudaAttempt TORCH_NO_DRIVER =
            CudaAttempt.failed(
                    "libtorch: a tensor on cuda:0",
                    "failed: Found no NVIDIA driver on your system.");

    /** A probe that records that it was asked. */
    private static final class Probe implements Supplier<CudaAttempt> {
        final CudaAttempt answer;
        int asked;

        Probe(CudaAttempt answer) {
            this.answer = answer;
        }

        @Override
        public CudaAttempt get() {
            asked++;
            return answer;
        }
    }

    @Test
    void cpuAsksNoCudaQuestionAtAll() {
        Probe count = new Probe(COUNT_ONE);
        Probe torch = new Probe(TORCH_OK);
        assertEquals(Device.cpu(), DeviceChoice.resolve(ComputeDevice.CPU, count, torch));
        assertEquals(0, count.asked + torch.asked);
    }

    @Test
    void cudaTakesGpuZeroWhenDjlCountsAGpuWithoutAskingLibtorch() {
        Probe torch = new Probe(TORCH_NO_DRIVER);
        assertEquals(
                Device.gpu(0),
                DeviceChoice.resolve(ComputeDevice.CUDA, new Probe(COUNT_ONE), torch));
        assertEquals(0, torch.asked);
    }

    @Test
    void cudaTakesGpuZeroWhenDjlCountsNoneButLibtorchPlacesATensorThere() {
        Probe count = new Probe(COUNT_NONE);
        Probe torch = new Probe(TORCH_OK);
        assertEquals(Device.gpu(0), DeviceChoice.resolve(ComputeDevice.CUDA, count, torch));
        assertEquals(1, count.asked);
        assertEquals(1, torch.asked);
    }

    @Test
    void cudaWithNoUsableGpuFailsNamingBothAttemptsAndWhatToCheck() {
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                DeviceChoice.resolve(
                                        ComputeDevice.parse(" CUDA "),
                                        new Probe(COUNT_NONE),
                                        new Probe(TORCH_NO_DRIVER)));
        String m = e.getMessage();
        assertTrue(m.contains("csm.model.device=cuda"), m);
        assertTrue(m.contains(COUNT_NONE.toString()), m);
        assertTrue(m.contains(TORCH_NO_DRIVER.toString()), m);
        assertTrue(m.contains("nvidia-smi") && m.contains("570"), m);
    }

    @Test
    void autoFallsBackToTheCpuWithAWarnLineNamingBothAttempts() {
        List<LogRecord> records = new ArrayList<>();
        Logger logger = Logger.getLogger(DeviceChoice.class.getName());
        Handler handler =
                new Handler() {
                    @Override
                    public void publish(LogRecord r) {
                        records.add(r);
                    }

                    @Override
                    public void flush() {}

                    @Override
                    public void close() {}
                };
        logger.addHandler(handler);
        try {
            assertEquals(
                    Device.cpu(),
                    DeviceChoice.resolve(
                            ComputeDevice.AUTO, new Probe(COUNT_NONE), new Probe(TORCH_NO_DRIVER)));
        } finally {
            logger.removeHandler(handler);
        }
        List<String> warnings =
                records.stream()
                        .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                        .map(DeviceChoiceTest::formatted)
                        .toList();
        assertEquals(1, warnings.size(), "one WARN line: " + warnings);
        assertTrue(warnings.get(0).contains("running on the CPU"), warnings.get(0));
        assertTrue(
                warnings.get(0).contains(COUNT_NONE.toString())
                        && warnings.get(0).contains(TORCH_NO_DRIVER.toString()),
                warnings.get(0));
    }

    @Test
    void autoTakesTheGpuLibtorchFindsWhenDjlCountsNone() {
        assertEquals(
                Device.gpu(0),
                DeviceChoice.resolve(
                        ComputeDevice.parse(null), new Probe(COUNT_NONE), new Probe(TORCH_OK)));
    }

    @Test
    void anUnknownSettingIsRejectedBeforeAnyCudaQuestion() {
        Probe count = new Probe(COUNT_ONE);
        var e = assertThrows(IllegalArgumentException.class, () -> ComputeDevice.parse("tpu"));
        assertTrue(e.getMessage().contains("auto, cpu or cuda"), e.getMessage());
        assertEquals(0, count.asked);
    }

    @Test
    void theRealQuestionsOnThisMachineAgreeAndNameWhatTheyTried() {
        // No stand-ins: DJL's count and libtorch as they are here (CPU libtorch in CI, so both
        // fail;
        // on a CUDA machine both paths must find gpu(0)).
        CudaAttempt torch = CudaProbes.libtorchTensor();
        assertTrue(
                torch.what().contains("libtorch") && torch.what().contains("cuda:0"),
                torch.toString());
        if (torch.usable()) {
            assertEquals(Device.gpu(0), DjlRuntime.device(ComputeDevice.CUDA));
            return;
        }
        assertFalse(
                torch.outcome().contains("\n"),
                "one line, not libtorch's dispatch-key list: " + torch);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class, () -> DjlRuntime.device(ComputeDevice.CUDA));
        assertTrue(
                e.getMessage().contains("DJL's GPU count")
                        && e.getMessage().contains(torch.toString()),
                e.getMessage());
        assertEquals(Device.cpu(), DjlRuntime.device(ComputeDevice.AUTO));
    }

    @Test
    void aNativeErrorIsCutToItsFirstSentence() {
        String libtorch =
                "Could not run 'aten::empty.memory_format' with arguments from the 'CUDA' backend. This could "
                        + "be because the operator doesn't exist.\n'aten::empty.memory_format' is only available for: [CPU, ...]";
        assertEquals(
                "Could not run 'aten::empty.memory_format' with arguments from the 'CUDA' backend.",
                CudaProbes.reason(new RuntimeException(libtorch)));
        assertEquals("IllegalStateException", CudaProbes.reason(new IllegalStateException()));
    }

    private static String formatted(LogRecord r) {
        String m = r.getMessage();
        Object[] params = r.getParameters();
        if (params != null) {
            for (Object p : params) {
                m =
                        m.replaceFirst(
                                "\\{}",
                                java.util.regex.Matcher.quoteReplacement(String.valueOf(p)));
            }
        }
        return m;
    }
}
