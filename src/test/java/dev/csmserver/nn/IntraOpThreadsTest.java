package dev.csmserver.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.csmserver.pipeline.DjlRuntime;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IntraOpThreadsTest {
    @BeforeAll
    static void loadLibtorch() {
        DjlRuntime.init();
        Engine.getInstance();
    }

    @Test
    void singleRunsWithOneThreadAndRestoresTheCallersSetting() {
        int before = IntraOpThreads.ofThisThread();
        IntraOpThreads.setForThisThread(3);
        try {
            int inside = IntraOpThreads.single(IntraOpThreads::ofThisThread);
            assertEquals(1, inside);
            assertEquals(3, IntraOpThreads.ofThisThread());
            assertThrows(
                    IllegalStateException.class,
                    () ->
                            IntraOpThreads.single(
                                    () -> {
                                        throw new IllegalStateException("boom");
                                    }));
            assertEquals(3, IntraOpThreads.ofThisThread(), "restored after a failure too");
        } finally {
            IntraOpThreads.setForThisThread(before);
        }
    }

    @Test
    void theSettingBelongsToTheThreadThatMadeIt() throws Exception {
        int before = IntraOpThreads.ofThisThread();
        IntraOpThreads.setForThisThread(2);
        try {
            int[] other = new int[1];
            Thread t =
                    new Thread(
                            () -> {
                                IntraOpThreads.setForThisThread(1);
                                other[0] = IntraOpThreads.ofThisThread();
                            });
            t.start();
            t.join();
            assertEquals(1, other[0]);
            assertEquals(
                    2,
                    IntraOpThreads.ofThisThread(),
                    "another thread's setting left this one alone");
        } finally {
            IntraOpThreads.setForThisThread(before);
        }
    }

    @Test
    void rowParallelHelpersRunWithOneThread() throws Exception {
        try (RowParallel pool = new RowParallel(2);
                NDManager m = NDManager.newBaseManager()) {
            CountDownLatch both =
                    new CountDownLatch(2); // each task waits for the other: both threads take one
            NDArray[] seen =
                    pool.map(
                            2,
                            i -> {
                                both.countDown();
                                try {
                                    assertTrue(both.await(10, TimeUnit.SECONDS));
                                } catch (InterruptedException e) {
                                    throw new IllegalStateException(e);
                                }
                                return m.create(
                                        new int[] {
                                            Thread.currentThread().getName().startsWith("csm-rows")
                                                    ? 1
                                                    : 0,
                                            IntraOpThreads.ofThisThread()
                                        });
                            });
            int helpers = 0;
            for (NDArray s : seen) {
                int[] v = s.toIntArray();
                if (v[0] == 1) {
                    helpers++;
                    assertEquals(1, v[1], "a helper runs libtorch on one thread");
                }
            }
            assertEquals(1, helpers);
        }
    }

    @Test
    void helpersLeaveTheCountNewThreadsStartWithAlone() throws Exception {
        int before = IntraOpThreads.ofThisThread();
        IntraOpThreads.setForThisThread(3);
        try (RowParallel pool = new RowParallel(2);
                NDManager m = NDManager.newBaseManager()) {
            CountDownLatch both = new CountDownLatch(2);
            pool.map(
                    2,
                    i -> {
                        both.countDown();
                        try {
                            assertTrue(both.await(10, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return m.zeros(new ai.djl.ndarray.types.Shape(1));
                    });
            int[] fresh = new int[1];
            Thread t =
                    new Thread(
                            () ->
                                    fresh[0] =
                                            IntraOpThreads
                                                    .ofThisThread()); // first libtorch call of this
            // thread
            t.start();
            t.join();
            assertEquals(
                    3,
                    fresh[0],
                    "a thread new to libtorch starts with the caller's count, not the helpers' 1");
            assertEquals(3, IntraOpThreads.ofThisThread());
        } finally {
            IntraOpThreads.setForThisThread(before);
        }
    }

    @Test
    void rejectsLessThanOneThread() {
        assertThrows(IllegalArgumentException.class, () -> IntraOpThreads.setForThisThread(0));
    }

    @Test
    void onThreadThatEndsRunsTheWorkOnAThreadThatIsGoneAfterwards() {
        Thread[] ran = new Thread[1];
        float sum =
                IntraOpThreads.onThreadThatEnds(
                        "csm-load-test",
                        () -> {
                            ran[0] = Thread.currentThread();
                            try (NDManager m = NDManager.newBaseManager()) {
                                return m.ones(new Shape(64, 64)).sum().getFloat();
                            }
                        });
        assertEquals(4096f, sum);
        assertEquals("csm-load-test", ran[0].getName());
        assertTrue(ran[0] != Thread.currentThread());
        assertFalse(ran[0].isAlive(), "the loading thread has ended");
    }

    @Test
    void onThreadThatEndsRethrowsTheWorksFailure() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                IntraOpThreads.onThreadThatEnds(
                                        "csm-load-test",
                                        () -> {
                                            throw new IllegalArgumentException("no weights here");
                                        }));
        assertEquals("no weights here", e.getMessage());
        OutOfMemoryError oom =
                assertThrows(
                        OutOfMemoryError.class,
                        () ->
                                IntraOpThreads.onThreadThatEnds(
                                        "csm-load-test",
                                        () -> {
                                            throw new OutOfMemoryError("native");
                                        }));
        assertEquals("native", oom.getMessage());
    }
}
